#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

/// The stanza's append-only, hash-chained audit log.
///
/// One object per record (object stores cannot append), written with `noReplace` so two writers can
/// never take the same sequence number: the loser re-reads the tail and takes the next one. Each record
/// carries the SHA-256 of the previous record's exact bytes, so removing, editing or reordering a record
/// breaks the chain at a sequence number `verify()` names. Removing the newest records leaves a valid
/// shorter chain: keep a copy of the latest sequence and hash elsewhere (e.g. the monitoring system)
/// if that matters.
public struct AuditTrail: Sendable {
    public let storage: any RepositoryStorage
    public let stanza: String

    public init(storage: any RepositoryStorage, stanza: String) {
        self.storage = storage
        self.stanza = stanza
    }

    var directory: String { "\(stanza)/audit" }

    /// Appends `event` and returns the record as stored.
    @discardableResult
    public func append(_ event: AuditEvent, at now: Date = Date()) async throws -> AuditRecord {
        // A trail belongs to a stanza: never create one where no stanza exists.
        guard try await storage.info("\(stanza)/stanza.json") != nil else {
            throw LifeboatError(.stanzaNotFound, "stanza '\(stanza)' does not exist in repository '\(storage.displayName)'")
        }
        for _ in 0..<64 {
            let sequences = try await storedSequences()
            let previous: String
            if let last = sequences.last {
                previous = SHA256Hasher.hex(of: try await storage.readAll(directory + "/" + AuditRecord.objectName(last)))
            } else {
                previous = AuditRecord.genesisSha256
            }
            let record = try AuditRecord(
                sequence: (sequences.last ?? 0) + 1, time: TargetTime.postgresText(now), host: Self.hostName(), user: Self.userName(),
                command: event.command, stanza: stanza, outcome: event.outcome, labels: event.labels, sizes: event.sizes,
                error: event.error, details: event.details, lifeboatVersion: LifeboatVersion.current, previousSha256: previous,
                recordSha256: "").sealed()
            do {
                try await storage.write(
                    directory + "/" + AuditRecord.objectName(record.sequence), contents: try record.canonicalBytes(),
                    options: WriteOptions(durable: true, noReplace: true))
            } catch {
                guard error.code == .alreadyExists else { throw error }
                // Another writer took this number first: chain to its record instead.
                continue
            }
            try await writeHead(record)
            return record
        }
        throw LifeboatError(.repository, "could not append to the audit trail of stanza '\(stanza)': too many concurrent writers")
    }

    /// Every record (optionally from `since` on), after checking the whole chain.
    public func verify(since: Date? = nil) async throws -> AuditVerification {
        var records: [AuditRecord] = []
        var previousSha256 = AuditRecord.genesisSha256
        var expected: UInt64 = 1
        var last: String?
        for sequence in try await storedSequences() {
            guard sequence == expected else {
                let missing = expected == sequence - 1 ? "record \(expected) is" : "records \(expected) to \(sequence - 1) are"
                throw Self.broken(sequence: expected, "\(missing) missing from the audit trail of stanza '\(stanza)'")
            }
            let bytes = try await storage.readAll(directory + "/" + AuditRecord.objectName(sequence))
            guard let record = AuditRecord.decode(bytes) else {
                throw Self.broken(sequence: sequence, "audit record \(sequence) of stanza '\(stanza)' is not a valid record")
            }
            guard record.isIntact(storedAs: bytes) else {
                throw Self.broken(sequence: sequence, "audit record \(sequence) of stanza '\(stanza)' was edited: its content does not match its own hash")
            }
            guard record.sequence == sequence else {
                throw Self.broken(sequence: sequence, "audit record \(sequence) of stanza '\(stanza)' holds record \(record.sequence): records were reordered")
            }
            guard record.previousSha256 == previousSha256 else {
                let what = sequence == 1 ? "the start of the trail" : "record \(sequence - 1)"
                throw Self.broken(sequence: sequence, "audit record \(sequence) of stanza '\(stanza)' does not chain to \(what): a record was edited, removed or replaced")
            }
            if let since, let date = record.date, date < since {} else { records.append(record) }
            previousSha256 = SHA256Hasher.hex(of: bytes)
            last = previousSha256
            expected = sequence + 1
        }
        if let head = try await readHead(), head.sequence >= expected {
            throw Self.broken(sequence: expected, "audit trail of stanza '\(stanza)' ends at record \(expected - 1) but record \(head.sequence) was written: records were removed from its end")
        }
        return AuditVerification(records: records, count: Int(expected - 1), lastSha256: last)
    }

    /// `audit/head.json`: the newest sequence written, so removing the newest records is detected too.
    /// Concurrent writers may leave it one behind (never ahead); verify only flags a head beyond the trail.
    struct Head: Codable { var sequence: UInt64 }

    private var headPath: String { directory + "/head.json" }

    private func writeHead(_ record: AuditRecord) async throws {
        if let head = try await readHead(), head.sequence >= record.sequence { return }
        let bytes = Array((try? JSONEncoder().encode(Head(sequence: record.sequence))) ?? Data())
        try await storage.write(headPath, contents: bytes, options: WriteOptions(durable: true))
    }

    private func readHead() async throws -> Head? {
        guard try await storage.info(headPath) != nil else { return nil }
        guard let head = try? JSONDecoder().decode(Head.self, from: Data(try await storage.readAll(headPath))) else {
            throw Self.broken(sequence: 0, "audit trail head '\(headPath)' of stanza '\(stanza)' is not valid")
        }
        return head
    }

    /// Record sequence numbers present, ascending (stray names are ignored).
    private func storedSequences() async throws -> [UInt64] {
        try await storage.list(directory).compactMap { $0.kind == .file ? AuditRecord.sequence(objectName: $0.name) : nil }.sorted()
    }

    private static func broken(sequence: UInt64, _ message: String) -> LifeboatError {
        LifeboatError(.auditChainBroken, message,
                      hint: "the audit trail was tampered with or damaged at sequence \(sequence); keep the repository as evidence and investigate")
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(cString: buffer)
    }

    static func userName() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}

/// The outcome of a verified trail.
public struct AuditVerification: Codable, Sendable {
    /// Records selected (all, or those from `since` on), oldest first.
    public var records: [AuditRecord]
    /// Records in the whole verified chain.
    public var count: Int
    /// SHA-256 of the newest record: note it elsewhere to detect a truncated trail later.
    public var lastSha256: String?
}

extension AuditTrail {
    /// The trail of the context's stanza, after checking that the repository and the stanza exist.
    public static func of(_ context: EngineContext) async throws -> AuditTrail {
        try await context.requireRepository()
        _ = try await context.repository.loadStanza()
        return AuditTrail(storage: context.storage, stanza: context.stanza)
    }
}
