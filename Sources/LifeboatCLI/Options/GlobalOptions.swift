import ArgumentParser

/// Options every command takes. Each can also come from LIFEBOAT_<NAME> or the config file.
struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Config file (INI: [global] and [<stanza>] sections).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Stanza: the name of the cluster's backups in the repository.", valueName: "name"))
    var stanza: String?

    @Option(help: ArgumentHelp("Repository directory (posix), or key prefix in the bucket (s3).", valueName: "path"))
    var repoPath: String?

    @Option(help: ArgumentHelp("posix (default) | s3.", valueName: "type"))
    var repoType: String?

    @Option(help: ArgumentHelp("none (default) | aes-256-gcm. The passphrase comes from LIFEBOAT_REPO_CIPHER_PASS, repo-cipher-pass in the config file (mode 0600) or --repo-cipher-pass-file; never a flag.", valueName: "type"))
    var repoCipherType: String?

    @Option(help: ArgumentHelp("File (mode 0600) holding the repository passphrase on its first line.", valueName: "path"))
    var repoCipherPassFile: String?

    @Option(help: ArgumentHelp("Repository to use (repo<N>-… options; default 1) for commands that work on one.", valueName: "n"))
    var repo: String?

    @OptionGroup var indexed: IndexedRepositoryFlags

    @OptionGroup var indexedS3: IndexedS3Flags

    @OptionGroup(title: "S3 repository") var s3Repository: S3RepositoryFlags

    @Option(help: ArgumentHelp("Local directory for stanza locks (default /tmp/lifeboat).", valueName: "path"))
    var lockPath: String?

    @Option(help: ArgumentHelp("error | warn | info | debug (default info).", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("text | json (default text).", valueName: "format"))
    var output: String?

    var given: [String: String] {
        var values = s3Repository.given
        values["stanza"] = stanza
        values["repo-path"] = repoPath
        values["log-level"] = logLevel
        values["output"] = output
        values["lock-path"] = lockPath
        values["repo-type"] = repoType
        values["repo-cipher-type"] = repoCipherType
        values["repo-cipher-pass-file"] = repoCipherPassFile
        values["repo"] = repo
        return values.merging(indexed.given) { $1 }.merging(indexedS3.given) { $1 }
    }
}

/// How to reach the cluster. Unset values fall back to libpq's PGHOST, PGPORT, PGUSER, PGDATABASE.
struct PostgresOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PostgreSQL data directory.", valueName: "path"))
    var pgData: String?

    @Option(help: ArgumentHelp("Socket directory or host name (default: PGHOST or libpq's default).", valueName: "host"))
    var pgHost: String?

    @Option(help: ArgumentHelp("Port (default: PGPORT or 5432).", valueName: "port"))
    var pgPort: String?

    @Option(help: ArgumentHelp("User (default: PGUSER or the OS user).", valueName: "user"))
    var pgUser: String?

    @Option(help: ArgumentHelp("Database to connect to (default: PGDATABASE or postgres).", valueName: "name"))
    var pgDatabase: String?

    var given: [String: String] {
        var values: [String: String] = [:]
        values["pg-data"] = pgData
        values["pg-host"] = pgHost
        values["pg-port"] = pgPort
        values["pg-user"] = pgUser
        values["pg-database"] = pgDatabase
        return values
    }
}

/// How data is moved into the repository.
struct TransferOptions: ParsableArguments {
    @Option(help: ArgumentHelp("zstd | lz4 | gzip | none (default zstd).", valueName: "type"))
    var compressType: String?

    @Option(help: ArgumentHelp("Compression level (default: zstd 3, lz4 1, gzip 6).", valueName: "n"))
    var compressLevel: String?

    @Option(help: ArgumentHelp("Parallel workers for backup and restore (default 2).", valueName: "n"))
    var processMax: String?

    var given: [String: String] {
        var values: [String: String] = [:]
        values["compress-type"] = compressType
        values["compress-level"] = compressLevel
        values["process-max"] = processMax
        return values
    }
}

/// `--repo<N>-path`, `--repo<N>-type`, `--repo<N>-cipher-type`, `--repo<N>-cipher-pass-file` for N = 1…4
/// (hidden from --help to keep it readable; the config file and LIFEBOAT_REPO<N>_* reach any N up to 16).
struct IndexedRepositoryFlags: ParsableArguments {
    @Option(name: .customLong("repo1-path"), help: .hidden) var repo1Path: String?
    @Option(name: .customLong("repo2-path"), help: .hidden) var repo2Path: String?
    @Option(name: .customLong("repo3-path"), help: .hidden) var repo3Path: String?
    @Option(name: .customLong("repo4-path"), help: .hidden) var repo4Path: String?
    @Option(name: .customLong("repo1-type"), help: .hidden) var repo1Type: String?
    @Option(name: .customLong("repo2-type"), help: .hidden) var repo2Type: String?
    @Option(name: .customLong("repo3-type"), help: .hidden) var repo3Type: String?
    @Option(name: .customLong("repo4-type"), help: .hidden) var repo4Type: String?
    @Option(name: .customLong("repo1-cipher-type"), help: .hidden) var repo1CipherType: String?
    @Option(name: .customLong("repo2-cipher-type"), help: .hidden) var repo2CipherType: String?
    @Option(name: .customLong("repo3-cipher-type"), help: .hidden) var repo3CipherType: String?
    @Option(name: .customLong("repo4-cipher-type"), help: .hidden) var repo4CipherType: String?
    @Option(name: .customLong("repo1-cipher-pass-file"), help: .hidden) var repo1CipherPassFile: String?
    @Option(name: .customLong("repo2-cipher-pass-file"), help: .hidden) var repo2CipherPassFile: String?
    @Option(name: .customLong("repo3-cipher-pass-file"), help: .hidden) var repo3CipherPassFile: String?
    @Option(name: .customLong("repo4-cipher-pass-file"), help: .hidden) var repo4CipherPassFile: String?

    var given: [String: String] {
        var values: [String: String] = [:]
        let paths = [repo1Path, repo2Path, repo3Path, repo4Path]
        let types = [repo1Type, repo2Type, repo3Type, repo4Type]
        let ciphers = [repo1CipherType, repo2CipherType, repo3CipherType, repo4CipherType]
        let passFiles = [repo1CipherPassFile, repo2CipherPassFile, repo3CipherPassFile, repo4CipherPassFile]
        for index in 0..<4 {
            values["repo\(index + 1)-path"] = paths[index]
            values["repo\(index + 1)-type"] = types[index]
            values["repo\(index + 1)-cipher-type"] = ciphers[index]
            values["repo\(index + 1)-cipher-pass-file"] = passFiles[index]
        }
        return values
    }
}
