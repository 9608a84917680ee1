import LifeboatCore
import struct Foundation.Date

/// Encryption at rest as a decorator: wraps any backend (posix, memory, S3) so that every object a
/// command stores — backup files, WAL, manifests, stanza.json — is sealed with AES-256-GCM (see
/// `EncryptedObjectFormat`) and every object it reads is authenticated. Only the stanza's key file
/// (`<stanza>/cipher.json`, see `CipherKeyFile`) passes through in clear.
///
/// The master key is unwrapped once, on first use (`unlock()`), and cached for the process: the slow KDF
/// runs once per command. `info` and `list` report plaintext sizes (the size of what the caller wrote), so
/// callers see the same sizes on an encrypted and a plain repository.
public struct EncryptedStorage: RepositoryStorage {
    public let base: any RepositoryStorage
    public let keyFilePath: String
    private let unlocker: Unlocker

    /// `createKey`: `lifeboat init` makes a new key file when the stanza has none; every other command
    /// requires one.
    public init(base: any RepositoryStorage, stanza: String, passphrase: CipherPassphrase, createKey: Bool = false) {
        self.base = base
        keyFilePath = Self.keyFilePath(stanza: stanza)
        unlocker = Unlocker(base: base, stanza: stanza, keyFilePath: keyFilePath, passphrase: passphrase, createKey: createKey)
    }

    /// A decorator over keys already at hand (cipher-rotate after unlocking, tests): no key file is read.
    public init(base: any RepositoryStorage, stanza: String, keys: CipherKeys) {
        self.base = base
        keyFilePath = Self.keyFilePath(stanza: stanza)
        unlocker = Unlocker(base: base, stanza: stanza, keyFilePath: keyFilePath, passphrase: CipherPassphrase(""), createKey: false,
                            preset: keys)
    }

    public static func keyFilePath(stanza: String) -> String { "\(stanza)/cipher.json" }

    public var capabilities: StorageCapabilities { base.capabilities }
    public var displayName: String { base.displayName }
    public var location: String { base.location }

    public func rootExists() async throws(LifeboatError) -> Bool { try await base.rootExists() }
    public func ensureRoot() async throws(LifeboatError) { try await base.ensureRoot() }

    /// The master key: reads (or, for init, creates) the key file and derives the wrapping key from the
    /// passphrase. `.cipher` for a wrong passphrase or a stanza that is not encrypted.
    @discardableResult
    public func unlock() async throws(LifeboatError) -> CipherKeys {
        try await unlocker.keys()
    }

    public func info(_ path: String) async throws(LifeboatError) -> StorageEntry? {
        guard let entry = try await base.info(path) else { return nil }
        return path == keyFilePath ? entry : Self.plain(entry)
    }

    public func list(_ directory: String) async throws(LifeboatError) -> [StorageEntry] {
        try await base.list(directory).map { entry in
            (directory.isEmpty ? entry.name : directory + "/" + entry.name) == keyFilePath ? entry : Self.plain(entry)
        }
    }

    public func openRead(_ path: String) async throws(LifeboatError) -> any StorageReader {
        if path == keyFilePath { return try await base.openRead(path) }
        let keys = try await unlock()
        return try await EncryptedReader.open(base: try await base.openRead(path), keys: keys, path: path)
    }

    public func readAll(_ path: String) async throws(LifeboatError) -> [UInt8] {
        if path == keyFilePath { return try await base.readAll(path) }
        var reader = try await openRead(path)
        defer { reader.close() }
        return try await reader.readToEnd()
    }

    public func create(_ path: String, options: WriteOptions) async throws(LifeboatError) -> any StorageWriter {
        guard path != keyFilePath else {
            throw LifeboatError(.internal, "'\(path)' is the key file; it is written by init and cipher-rotate only")
        }
        let keys = try await unlock()
        var writer = try await base.create(path, options: options)
        do {
            return try await EncryptedWriter.start(base: writer, keys: keys, path: path)
        } catch {
            await writer.abort()
            throw error
        }
    }

    public func write(_ path: String, contents: [UInt8], options: WriteOptions) async throws(LifeboatError) {
        var writer = try await create(path, options: options)
        do {
            try await writer.write(contents)
            try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
    }

    public func remove(_ path: String) async throws(LifeboatError) {
        try await base.remove(path)
    }

    public func removeTree(_ directory: String) async throws(LifeboatError) {
        try await base.removeTree(directory)
    }

    public func removeAbandonedWrites(under directory: String, olderThan cutoff: Date) async throws(LifeboatError) -> Int {
        try await base.removeAbandonedWrites(under: directory, olderThan: cutoff)
    }

    public func syncAll() async throws(LifeboatError) {
        try await base.syncAll()
    }

    private static func plain(_ entry: StorageEntry) -> StorageEntry {
        guard entry.kind == .file else { return entry }
        // A size no object can have (truncated, not encrypted) is reported as 0; reading it says why.
        let size = EncryptedObjectFormat.plainSize(storedSize: entry.size) ?? 0
        return StorageEntry(name: entry.name, kind: entry.kind, size: size, modified: entry.modified)
    }
}

/// Unwraps the master key once per process, whichever task asks first.
private actor Unlocker {
    let base: any RepositoryStorage
    let stanza: String
    let keyFilePath: String
    let passphrase: CipherPassphrase
    let createKey: Bool
    /// One load per process: concurrent first callers all await the same derivation.
    private let preset: CipherKeys?
    private var loading: Task<Result<CipherKeys, LifeboatError>, Never>?

    init(base: any RepositoryStorage, stanza: String, keyFilePath: String, passphrase: CipherPassphrase, createKey: Bool,
         preset: CipherKeys? = nil) {
        self.preset = preset
        self.base = base
        self.stanza = stanza
        self.keyFilePath = keyFilePath
        self.passphrase = passphrase
        self.createKey = createKey
    }

    func keys() async throws(LifeboatError) -> CipherKeys {
        if let preset { return preset }
        if loading == nil {
            loading = Task {
                do throws(LifeboatError) { return .success(try await self.load()) } catch { return .failure(error) }
            }
        }
        return try await loading!.value.get()
    }

    private func load() async throws(LifeboatError) -> CipherKeys {
        if passphrase.isEmpty {
            throw LifeboatError(.cipher, "the repository passphrase is empty", hint: "set a non-empty repo-cipher-pass")
        }
        if try await base.info(keyFilePath) == nil {
            guard createKey else { throw try await missingKeyFile() }
            if try await base.info("\(stanza)/stanza.json") != nil {
                throw LifeboatError(
                    .cipher, "stanza '\(stanza)' in repository '\(base.displayName)' already exists without encryption",
                    hint: "an existing stanza cannot be encrypted in place: use a new repository or stanza for encryption, or drop repo-cipher-type")
            }
            let (file, keys) = try CipherKeyFile.create(passphrase: passphrase)
            do {
                try await base.write(keyFilePath, contents: try file.encoded(), options: WriteOptions(durable: true, noReplace: true))
                return keys
            } catch {
                // Another init created the key file first: use theirs (if this passphrase opens it).
                guard error.code == .alreadyExists else { throw error }
            }
        }
        let file = try CipherKeyFile.decode(try await base.readAll(keyFilePath), path: keyFilePath)
        return try file.unwrap(passphrase: passphrase, path: keyFilePath)
    }

    private func missingKeyFile() async throws(LifeboatError) -> LifeboatError {
        if try await base.info("\(stanza)/stanza.json") != nil {
            return LifeboatError(
                .cipher, "stanza '\(stanza)' in repository '\(base.displayName)' is not encrypted, but repo-cipher-type is aes-256-gcm",
                hint: "drop repo-cipher-type and repo-cipher-pass for this repository")
        }
        return LifeboatError(
            .stanzaNotFound, "stanza '\(stanza)' does not exist in repository '\(base.displayName)'",
            hint: "check --stanza, or create it with `lifeboat init --stanza \(stanza)` (with the same cipher options)")
    }
}
