import LifeboatCore
import Synchronization
import struct Foundation.Date

/// An in-memory repository for engine unit tests. It follows the same rules as the POSIX driver (paths,
/// noReplace, invisibility until commit, `.notFound`, implied directories) and also models durability:
/// `simulateCrash()` forgets what only a non-durable commit published and `syncAll()` never made durable,
/// so a test can prove the engine calls `syncAll()` before it acknowledges.
///
/// A final class over a mutex rather than an actor: the protocol returns non-Sendable readers and writers,
/// which an actor could not hand out to its callers.
public final class MemoryStorage: RepositoryStorage {
    private struct Object: Sendable {
        var bytes: [UInt8]
        var modified: Date
    }

    private struct State: Sendable {
        /// What readers see.
        var files: [String: Object] = [:]
        /// What would survive a crash.
        var durable: [String: Object] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var capabilities: StorageCapabilities { [.atomicNoReplace] }
    public var displayName: String { "memory" }
    public var location: String { "memory" }

    /// Memory has no root to lose.
    public func rootExists() async throws(LifeboatError) -> Bool { true }
    public func ensureRoot() async throws(LifeboatError) {}

    public func info(_ path: String) async throws(LifeboatError) -> StorageEntry? {
        let components = try StoragePath.components(path, allowRoot: true)
        let name = String(components.last ?? "")
        return state.withLock { state in
            if let object = state.files[path] {
                return StorageEntry(name: name, kind: .file, size: UInt64(object.bytes.count), modified: object.modified)
            }
            guard let newest = Self.children(of: path, in: state.files).map(\.value.modified).max() else {
                return path.isEmpty ? StorageEntry(name: "", kind: .directory, size: 0, modified: Date()) : nil
            }
            return StorageEntry(name: name, kind: .directory, size: 0, modified: newest)
        }
    }

    public func list(_ directory: String) async throws(LifeboatError) -> [StorageEntry] {
        _ = try StoragePath.components(directory, allowRoot: true)
        let prefix = directory.isEmpty ? "" : directory + "/"
        return state.withLock { state in
            var entries: [String: StorageEntry] = [:]
            for (path, object) in Self.children(of: directory, in: state.files) {
                let rest = path.dropFirst(prefix.count)
                if let slash = rest.firstIndex(of: "/") {
                    let name = String(rest[..<slash])
                    let newest = max(entries[name]?.modified ?? object.modified, object.modified)
                    entries[name] = StorageEntry(name: name, kind: .directory, size: 0, modified: newest)
                } else {
                    let name = String(rest)
                    entries[name] = StorageEntry(
                        name: name, kind: .file, size: UInt64(object.bytes.count), modified: object.modified)
                }
            }
            return entries.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }
    }

    public func openRead(_ path: String) async throws(LifeboatError) -> any StorageReader {
        MemoryReader(bytes: try contents(path))
    }

    public func readAll(_ path: String) async throws(LifeboatError) -> [UInt8] {
        try contents(path)
    }

    public func create(_ path: String, options: WriteOptions) async throws(LifeboatError) -> any StorageWriter {
        let components = try StoragePath.components(path)
        try state.withLock { (state) throws(LifeboatError) in try Self.checkParents(components, in: state.files) }
        return MemoryWriter(storage: self, path: path, options: options)
    }

    public func write(_ path: String, contents: [UInt8], options: WriteOptions) async throws(LifeboatError) {
        let components = try StoragePath.components(path)
        try state.withLock { (state) throws(LifeboatError) in try Self.checkParents(components, in: state.files) }
        try publish(path, bytes: contents, options: options)
    }

    public func remove(_ path: String) async throws(LifeboatError) {
        _ = try StoragePath.components(path)
        try state.withLock { (state) throws(LifeboatError) in
            if state.files[path] == nil && !Self.children(of: path, in: state.files).isEmpty {
                throw LifeboatError(.repository, "unable to remove '\(path)': Is a directory")
            }
            // Removal is not synced (as on POSIX): `durable` keeps the file until the next syncAll.
            state.files[path] = nil
        }
    }

    public func removeTree(_ directory: String) async throws(LifeboatError) {
        _ = try StoragePath.components(directory)
        state.withLock { state in
            state.files[directory] = nil
            for (path, _) in Self.children(of: directory, in: state.files) { state.files[path] = nil }
        }
    }

    /// Nothing to do: a write in memory cannot outlive its writer.
    public func removeAbandonedWrites(under directory: String, olderThan: Date) async throws(LifeboatError) -> Int {
        _ = try StoragePath.components(directory, allowRoot: true)
        return 0
    }

    public func syncAll() async throws(LifeboatError) {
        state.withLock { $0.durable = $0.files }
    }

    // MARK: Test support

    /// Every committed file's path, sorted; for assertions in engine tests.
    public func allPaths() -> [String] {
        state.withLock { $0.files.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
    }

    /// Loses what a power failure would: files published by non-durable commits (or removed) since the
    /// last `syncAll()` revert to their durable state.
    public func simulateCrash() {
        state.withLock { $0.files = $0.durable }
    }

    // MARK: Driver internals

    /// Publishes a writer's bytes, checking noReplace and the directory rules under the lock, so that
    /// of two racing noReplace commits exactly one wins.
    func publish(_ path: String, bytes: [UInt8], options: WriteOptions) throws(LifeboatError) {
        let components = try StoragePath.components(path)
        try state.withLock { (state) throws(LifeboatError) in
            try Self.checkParents(components, in: state.files)
            if !Self.children(of: path, in: state.files).isEmpty {
                throw LifeboatError(.repository, "unable to rename to '\(path)': Is a directory")
            }
            if options.noReplace && state.files[path] != nil {
                throw LifeboatError(.alreadyExists, "unable to create '\(path)': File exists")
            }
            let object = Object(bytes: bytes, modified: Date())
            state.files[path] = object
            if options.durable { state.durable[path] = object }
        }
    }

    private func contents(_ path: String) throws(LifeboatError) -> [UInt8] {
        _ = try StoragePath.components(path)
        return try state.withLock { (state) throws(LifeboatError) in
            if let object = state.files[path] { return object.bytes }
            if Self.children(of: path, in: state.files).isEmpty {
                throw LifeboatError(.notFound, "unable to open '\(path)' for reading: No such file or directory")
            }
            throw LifeboatError(.repository, "unable to open '\(path)' for reading: Is a directory")
        }
    }

    /// Files strictly under `directory` ("" is the root): directories exist only through their files,
    /// as on an object store.
    private static func children(of directory: String, in files: [String: Object]) -> [(key: String, value: Object)] {
        if directory.isEmpty { return files.map { ($0.key, $0.value) } }
        let prefix = directory + "/"
        return files.filter { $0.key.hasPrefix(prefix) }.map { ($0.key, $0.value) }
    }

    /// A parent that is a file makes the path impossible, as ENOTDIR does on POSIX.
    private static func checkParents(_ components: [Substring], in files: [String: Object]) throws(LifeboatError) {
        var parent = ""
        for component in components.dropLast() {
            parent = parent.isEmpty ? String(component) : parent + "/" + component
            if files[parent] != nil {
                throw LifeboatError(.repository, "unable to create directory '\(parent)': Not a directory")
            }
        }
    }
}
