import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage
import Logging
import Testing
@testable import LifeboatEngine

/// Storage that "crashes" (every later change fails) after a budget of changes: a kill at any point.
final class CrashingStorage: RepositoryStorage {
    let base: MemoryStorage
    private let remaining: Mutex<Int>

    init(base: MemoryStorage, changes: Int) {
        self.base = base
        self.remaining = Mutex(changes)
    }

    var capabilities: StorageCapabilities { base.capabilities }
    var displayName: String { base.displayName }
    var location: String { base.location }
    func rootExists() async throws(LifeboatError) -> Bool { try await base.rootExists() }
    func ensureRoot() async throws(LifeboatError) { try await base.ensureRoot() }

    private func spend() throws(LifeboatError) {
        let allowed = remaining.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        guard allowed else { throw LifeboatError(.interrupted, "killed") }
    }

    func info(_ path: String) async throws(LifeboatError) -> StorageEntry? { try await base.info(path) }
    func list(_ directory: String) async throws(LifeboatError) -> [StorageEntry] { try await base.list(directory) }
    func openRead(_ path: String) async throws(LifeboatError) -> any StorageReader { try await base.openRead(path) }
    func readAll(_ path: String) async throws(LifeboatError) -> [UInt8] { try await base.readAll(path) }
    func create(_ path: String, options: WriteOptions) async throws(LifeboatError) -> any StorageWriter {
        try spend()
        return try await base.create(path, options: options)
    }
    func write(_ path: String, contents: [UInt8], options: WriteOptions) async throws(LifeboatError) {
        try spend()
        try await base.write(path, contents: contents, options: options)
    }
    func remove(_ path: String) async throws(LifeboatError) {
        try spend()
        try await base.remove(path)
    }
    func removeTree(_ directory: String) async throws(LifeboatError) {
        try spend()
        try await base.removeTree(directory)
    }
    func removeAbandonedWrites(under directory: String, olderThan: Date) async throws(LifeboatError) -> Int {
        try await base.removeAbandonedWrites(under: directory, olderThan: olderThan)
    }
    func syncAll() async throws(LifeboatError) { try await base.syncAll() }
}

import Synchronization

@Suite("expire killed at any point leaves only restorable backups listed, and the next expire finishes")
struct InterruptedExpireTests {
    static let segmentSize = WALSegmentSize.default16MiB
    /// label, type, reference, first segment (each backup spans two segments)
    static let chain: [(String, BackupType, String?, UInt64)] = [
        ("20260101-000000F", .full, nil, 2), ("20260102-000000D", .diff, "20260101-000000F", 5),
        ("20260103-000000I", .incr, "20260102-000000D", 8), ("20260104-000000F", .full, nil, 11),
        ("20260105-000000I", .incr, "20260104-000000F", 14),
    ]

    func populated() async throws -> MemoryStorage {
        let storage = MemoryStorage()
        let stanza = StanzaRecord(stanza: "main", systemIdentifier: "1", pgVersion: 150000, walSegmentSize: Self.segmentSize.bytes, created: Date())
        try await storage.write("main/stanza.json", contents: try stanza.encoded(), options: WriteOptions())
        for (index, (label, type, reference, first)) in Self.chain.enumerated() {
            let start = WALSegment(timeline: 1, number: first)
            let stop = WALSegment(timeline: 1, number: first + 1)
            let time = Date(timeIntervalSince1970: 1_767_225_600 + Double(index) * 86400)
            let file = ManifestFile(
                path: "base/1/1234", size: 8192, mtime: 0, mode: 0o600, sha256: String(repeating: "a", count: 64), storedSize: 100,
                storedSha256: nil, reference: reference.map { _ in Self.chain[0..<index].last { $0.1 == .full }!.0 })
            let manifest = BackupManifest(
                label: label, type: type, reference: reference, lifeboatVersion: "test", systemIdentifier: "1", pgVersion: 150000,
                timeline: 1, startLSN: start.startLSN(segmentSize: Self.segmentSize) + 40, stopLSN: stop.startLSN(segmentSize: Self.segmentSize) + 400,
                startTime: time, stopTime: time.addingTimeInterval(60), startWALFile: start.fileName(segmentSize: Self.segmentSize),
                stopWALFile: stop.fileName(segmentSize: Self.segmentSize), stopNextXid: nil, walSegmentSize: Self.segmentSize.bytes,
                compressType: "none", compressLevel: 0, backupLabel: "", tablespaceMap: nil, tablespaces: [], directories: [],
                files: [file])
            try await storage.write("main/backup/\(label)/data/base/1/1234", contents: [1, 2, 3], options: WriteOptions())
            try await storage.write("main/backup/\(label)/manifest.json", contents: try manifest.encoded(), options: WriteOptions())
        }
        for number in UInt64(1)...16 {
            let name = WALSegment(timeline: 1, number: number).fileName(segmentSize: Self.segmentSize)
            try await storage.write("main/archive/\(name.prefix(16))/\(name)-\(String(repeating: "b", count: 64))", contents: [0], options: WriteOptions())
        }
        return storage
    }

    func context(_ storage: any RepositoryStorage) -> EngineContext {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return EngineContext(
            stanza: "main", storage: storage, connection: ConnectionSettings(), pgData: nil, processMax: 1, compressType: .none,
            compressLevel: 0, logger: logger, progress: .silent, emitProgress: { _ in }, restoreCommandOptions: [],
            lockPath: NSTemporaryDirectory() + "lifeboat-expire-test-locks")
    }

    func archivedSegments(_ storage: MemoryStorage) async throws -> Set<UInt64> {
        let repository = Repository(storage: storage, stanza: "main")
        return Set(try await repository.archiveContents().compactMap { $0.name.wal.segment(segmentSize: Self.segmentSize)?.number })
    }

    @Test("every crash point")
    func everyCrashPoint() async throws {
        let policy = ExpireOptions(policy: RetentionPolicy(full: 1), dryRun: false)
        var crashes = 0
        for budget in 0..<40 {
            let storage = try await populated()
            do {
                _ = try await ExpireCommand.run(context(CrashingStorage(base: storage, changes: budget)), options: policy)
            } catch {
                crashes += 1
            }
            // What info would list: every backup's chain is listed too and its WAL is still there.
            let repository = Repository(storage: storage, stanza: "main")
            let listed = try await repository.backups()
            let labels = Set(listed.map(\.label))
            let segments = try await archivedSegments(storage)
            for manifest in listed {
                if let reference = manifest.reference { #expect(labels.contains(reference), "budget \(budget): \(manifest.label) listed without \(reference)") }
                for file in manifest.files {
                    if let reference = file.reference {
                        #expect(try await storage.info("main/backup/\(reference)/data/\(file.path)") != nil, "budget \(budget): bytes of \(manifest.label) gone")
                    }
                }
                let start = WALSegment(containing: manifest.startLSN, timeline: 1, segmentSize: Self.segmentSize).number
                #expect(Set(start...16).isSubset(of: segments), "budget \(budget): WAL of \(manifest.label) gone")
            }
            // The next expire finishes the job.
            _ = try await ExpireCommand.run(context(storage), options: policy)
            #expect(try await repository.backups().map(\.label) == ["20260104-000000F", "20260105-000000I"], "budget \(budget)")
            #expect(try await repository.abandonedBackupLabels().isEmpty, "budget \(budget)")
            #expect(try await archivedSegments(storage) == Set(11...16), "budget \(budget)")
        }
        #expect(crashes > 10, "the budgets must cover crashes at many points")
    }
}
