#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore
import LifeboatS3
import LifeboatStorage

/// One configured repository, from its `repo<N>-…` options (the unindexed `repo-…` names mean repo1,
/// so `--repo-path` keeps working). Every repository option takes the index:
///
///     repo2-path = /mnt/offsite/lifeboat        LIFEBOAT_REPO2_PATH         --repo2-path
///     repo2-type = posix                        LIFEBOAT_REPO2_TYPE         --repo2-type
///     repo2-cipher-type = aes-256-gcm           LIFEBOAT_REPO2_CIPHER_TYPE  --repo2-cipher-type
///     repo2-cipher-pass = …                     LIFEBOAT_REPO2_CIPHER_PASS  (never a flag)
///     repo2-cipher-pass-file = /etc/lifeboat/repo2.pass                     --repo2-cipher-pass-file
///     repo2-s3-bucket = offsite (likewise s3-endpoint, -region, -uri-style, -verify-tls, -ca-file)
///     repo2-s3-key / repo2-s3-key-secret = …    LIFEBOAT_REPO2_S3_KEY…      (never a flag)
///     repo2-retention-full = 4 (likewise -diff, -window, -min-full; see RetentionOptions)
///
/// For repository 1 each key is looked up separately as `repo1-<key>`, then `repo-<key>`.
///
/// The passphrase comes from the environment, the config file (which must then be mode 0600 or
/// stricter) or a pass file (mode 0600 or stricter); never from a flag, which would show in `ps`.
struct RepositoryOptions {
    enum Kind: String, CaseIterable {
        case posix, s3
    }

    enum CipherType: String, CaseIterable {
        case none
        case aes256gcm = "aes-256-gcm"
    }

    /// Where the passphrase came from: a restored cluster's restore_command must reach it the same way.
    enum PassphraseSource: Equatable {
        case environment(name: String)
        case configFile
        case passFile(path: String)
    }

    static let maxIndex = 16

    let index: Int
    let kind: Kind
    let path: String?
    let cipherType: CipherType
    let passphrase: CipherPassphrase?
    let passphraseSource: PassphraseSource?
    /// repo-type s3: the bucket, endpoint and credentials, and the (non-secret) flags that reach it.
    var s3: S3Repository? = nil

    struct S3Repository {
        let settings: S3Settings
        /// Unindexed flags (`--repo-s3-bucket …`): what a restored cluster's restore_command repeats.
        let restoreOptions: [String]
    }

    /// `repo<N>-<name>`, and for repo1 also the unindexed `repo-<name>`.
    static func value(_ options: ResolvedOptions, index: Int, _ name: String) -> String? {
        options.string("repo\(index)-\(name)") ?? (index == 1 ? options.string("repo-\(name)") : nil)
    }

    /// The indices of every configured repository, in order; [1] when none is configured (commands then
    /// report the missing repo-path as before).
    static func configuredIndices(_ options: ResolvedOptions) -> [Int] {
        var indices = Set<Int>()
        func scan(_ key: Substring) {
            guard key.hasPrefix("repo") else { return }
            let rest = key.dropFirst(4)
            let digits = rest.prefix { $0.isNumber }
            if digits.isEmpty {
                if rest.hasPrefix("-") { indices.insert(1) }
            } else if let index = Int(digits), (1...maxIndex).contains(index), rest.dropFirst(digits.count).hasPrefix("-") {
                indices.insert(index)
            }
        }
        for key in options.given.keys { scan(Substring(key)) }
        for name in options.environment.keys where name.hasPrefix("LIFEBOAT_REPO") {
            scan(Substring(String(name.dropFirst("LIFEBOAT_".count)).lowercased().map { $0 == "_" ? "-" : $0 }))
        }
        for section in ["global", options.stanza].compactMap({ $0 }) {
            for key in options.config.sections[section]?.keys ?? [:].keys { scan(Substring(key)) }
        }
        // Only repositories with a path (or a type) exist; a stray cipher option alone does not make one.
        let real = indices.filter { value(options, index: $0, "path") != nil || value(options, index: $0, "type") != nil }
        return real.isEmpty ? [1] : real.sorted()
    }

    static func resolve(_ options: ResolvedOptions, index: Int) throws(LifeboatError) -> RepositoryOptions {
        let prefix = index == 1 ? "repo" : "repo\(index)"
        let kindText = value(options, index: index, "type") ?? "posix"
        guard let kind = Kind(rawValue: kindText) else {
            throw LifeboatError(.invalidArgument, "invalid \(prefix)-type '\(kindText)': expected posix or s3")
        }
        let cipherText = value(options, index: index, "cipher-type") ?? "none"
        guard let cipherType = CipherType(rawValue: cipherText) else {
            throw LifeboatError(.invalidArgument, "invalid \(prefix)-cipher-type '\(cipherText)': expected none or aes-256-gcm")
        }
        let (passphrase, source) = try readPassphrase(options, index: index, prefix: prefix)
        switch (cipherType, passphrase) {
        case (.aes256gcm, nil):
            throw LifeboatError(
                .cipher, "\(prefix)-cipher-type is aes-256-gcm but no passphrase was given",
                hint: "set LIFEBOAT_\(prefix.uppercased())_CIPHER_PASS, \(prefix)-cipher-pass in the config file (mode 0600), or \(prefix)-cipher-pass-file")
        case (.none, .some):
            throw LifeboatError(
                .cipher, "a passphrase was given for repository \(index), but \(prefix)-cipher-type is none",
                hint: "set \(prefix)-cipher-type = aes-256-gcm for an encrypted repository, or remove the passphrase")
        default: break
        }
        var repository = RepositoryOptions(
            index: index, kind: kind, path: value(options, index: index, "path").map(absolutePath), cipherType: cipherType,
            passphrase: passphrase, passphraseSource: source)
        if kind == .s3 {
            // Key by key: repo1 reads repo1-s3-bucket, else repo-s3-bucket, and so on for every option and
            // credential, so `repo-type = s3` with `repo1-s3-bucket = b` (or any other mix) works.
            let prefixes = index == 1 ? ["repo1", "repo"] : ["repo\(index)"]
            let settings = try options.s3Settings(prefixes: prefixes)
            repository.s3 = S3Repository(
                settings: settings, restoreOptions: options.s3RestoreOptions(settings, prefixes: prefixes, flagPrefix: "repo"))
        }
        return repository
    }

    /// The driver, wrapped in `EncryptedStorage` when the repository is encrypted.
    /// `createKey`: `init` creates the stanza's key file when it has none.
    func storage(stanza: String, createKey: Bool = false) throws(LifeboatError) -> any RepositoryStorage {
        let base = try baseStorage()
        guard cipherType == .aes256gcm, let passphrase else { return base }
        return EncryptedStorage(base: base, stanza: stanza, passphrase: passphrase, createKey: createKey)
    }

    /// The repository without its cipher layer: the layout's names (`<stanza>/stanza.json`) are the same
    /// in an encrypted repository, so stanzas can be listed without a passphrase.
    func baseStorage() throws(LifeboatError) -> any RepositoryStorage {
        let base: any RepositoryStorage
        switch kind {
        case .posix:
            guard let path, !path.isEmpty else {
                let flag = index == 1 ? "--repo-path" : "--repo\(index)-path"
                throw LifeboatError(.invalidArgument, index == 1 ? "no repository given" : "repository \(index) has no path",
                                    hint: "add \(flag) PATH (or LIFEBOAT_\(index == 1 ? "REPO" : "REPO\(index)")_PATH, or \(flag.dropFirst(2)) in the config file)")
            }
            base = PosixStorage(root: path)
        case .s3:
            guard let s3 else { throw LifeboatError(.internal, "repository \(index) has no S3 settings") }
            base = try S3Storage(settings: s3.settings)
        }
        return base
    }

    /// What a restored cluster's restore_command repeats to reach this repository as repo1 (never the
    /// passphrase itself: the pass file's path or the config file carry it).
    var restoreCommandOptions: [String] {
        var arguments: [String] = []
        if kind == .posix, let path { arguments += ["--repo-path", path] }
        if let s3 { arguments += s3.restoreOptions }
        if cipherType == .aes256gcm {
            arguments += ["--repo-cipher-type", cipherType.rawValue]
            if case .passFile(let file) = passphraseSource { arguments += ["--repo-cipher-pass-file", file] }
        }
        return arguments
    }

    /// The same as `restoreCommandOptions` with this repository's index, for a restore_command that lists
    /// several repositories. Indexed flags exist for repositories 1 to 4; higher ones must come from the
    /// config file (which restore_command names with --config).
    func indexedRestoreCommandOptions() throws(LifeboatError) -> [String] {
        guard index <= 4 else { return [] }
        var arguments: [String] = []
        if kind == .posix, let path { arguments += ["--repo\(index)-path", path] }
        // An S3 repository among several is reached through the config file (--config), which also holds
        // its credentials (never a flag): repeating the bucket without them would fail every archive-get.
        if kind == .s3 { return [] }
        if cipherType == .aes256gcm {
            arguments += ["--repo\(index)-cipher-type", cipherType.rawValue]
            if case .passFile(let file) = passphraseSource { arguments += ["--repo\(index)-cipher-pass-file", file] }
        }
        return arguments
    }

    // MARK: passphrase

    private static func readPassphrase(_ options: ResolvedOptions, index: Int, prefix: String) throws(LifeboatError) -> (CipherPassphrase?, PassphraseSource?) {
        // Environment first, then the config file: never `given`, flags cannot carry it (see SecretArguments).
        var names = ["LIFEBOAT_REPO\(index)_CIPHER_PASS"]
        if index == 1 { names.append("LIFEBOAT_REPO_CIPHER_PASS") }
        for name in names {
            if let text = options.environment[name] { return (CipherPassphrase(text), .environment(name: name)) }
        }
        for key in index == 1 ? ["repo1-cipher-pass", "repo-cipher-pass"] : ["repo\(index)-cipher-pass"] {
            if let text = options.config.value(key, stanza: options.stanza) {
                try requirePrivate(options.config.path ?? "", what: "config file", holding: key)
                return (CipherPassphrase(text), .configFile)
            }
        }
        if let file = value(options, index: index, "cipher-pass-file") {
            let path = absolutePath(file)
            return (try readPassFile(path, option: "\(prefix)-cipher-pass-file"), .passFile(path: path))
        }
        return (nil, nil)
    }

    /// A pass file: mode 0600 or stricter; its first line is the passphrase (a trailing newline is not part of it).
    static func readPassFile(_ path: String, option: String) throws(LifeboatError) -> CipherPassphrase {
        try requirePrivate(path, what: "\(option)", holding: nil)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LifeboatError(.invalidArgument, "\(option) '\(path)' cannot be read: \(String(cString: strerror(errno)))",
                                hint: "the OS user running Lifeboat (postgres for archive-push and archive-get) must own the file")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 16 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if let newline = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) { text = String(text[..<newline]) }
        guard !text.isEmpty else { throw LifeboatError(.invalidArgument, "\(option) '\(path)' is empty") }
        return CipherPassphrase(text)
    }

    /// Refuses a secret-holding file that the group or others can read (or write).
    static func requirePrivate(_ path: String, what: String, holding key: String?) throws(LifeboatError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LifeboatError(.invalidArgument, "\(what) '\(path)' cannot be read: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            let holding = key.map { " holds \($0) but" } ?? ""
            throw LifeboatError(
                .invalidArgument, "\(what) '\(path)'\(holding) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8)))",
                hint: "run chmod 600 '\(path)': a passphrase must be readable by its owner only")
        }
    }
}
