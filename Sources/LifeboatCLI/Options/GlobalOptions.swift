import ArgumentParser

/// Options every command takes. Each can also come from LIFEBOAT_<NAME> or the config file.
struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Config file (INI: [global] and [<stanza>] sections).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Stanza: the name of the cluster's backups in the repository.", valueName: "name"))
    var stanza: String?

    @Option(help: ArgumentHelp("Repository directory (posix), or key prefix in the bucket (s3).", valueName: "path"))
    var repoPath: String?

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
        return values
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
