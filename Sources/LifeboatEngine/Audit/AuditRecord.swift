import Foundation
import LifeboatCodecs
import LifeboatCore

public enum AuditOutcome: String, Codable, Sendable {
    case ok, failed
}

/// What a command reports about itself; the trail adds who, where, when and the chain.
public struct AuditEvent: Sendable, Equatable {
    /// The command as the operator typed it: "backup", "expire", "restore", "pin", "unpin", "drill"...
    public var command: String
    public var outcome: AuditOutcome
    /// Backup labels the command created, removed, restored or pinned.
    public var labels: [String]
    /// Named byte counts, e.g. "original", "stored", "removed".
    public var sizes: [String: UInt64]
    /// The one-line error of a failed command (never a secret: LifeboatError messages never hold one).
    public var error: String?
    /// Anything else worth keeping as evidence, e.g. "type": "full", "rule": "retention-full".
    public var details: [String: String]

    public init(command: String, outcome: AuditOutcome, labels: [String] = [], sizes: [String: UInt64] = [:],
                error: String? = nil, details: [String: String] = [:]) {
        self.command = command
        self.outcome = outcome
        self.labels = labels
        self.sizes = sizes
        self.error = error
        self.details = details
    }
}

/// One record of the trail: `<stanza>/audit/<sequence, 12 digits>.json`, canonical JSON (sorted keys,
/// no whitespace), carrying the SHA-256 of the previous record's exact bytes.
public struct AuditRecord: Codable, Sendable, Equatable {
    /// What the first record chains to.
    public static let genesisSha256 = String(repeating: "0", count: 64)

    public var sequence: UInt64
    /// UTC, microseconds: "2026-11-21 12:34:56.123456+00".
    public var time: String
    public var host: String
    public var user: String
    public var command: String
    public var stanza: String
    public var outcome: AuditOutcome
    public var labels: [String]
    public var sizes: [String: UInt64]
    public var error: String?
    public var details: [String: String]
    public var lifeboatVersion: String
    public var previousSha256: String
    /// SHA-256 of this record's canonical JSON with this field empty: an edit of the newest record,
    /// which no later record chains to yet, is detected too.
    public var recordSha256: String

    public var date: Date? { try? TargetTime.parse(time, defaultOffsetSeconds: 0) }

    public func canonicalBytes() throws(LifeboatError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self))
        } catch {
            throw LifeboatError(.internal, "audit record \(sequence) cannot be encoded: \(error)")
        }
    }

    /// The record with its own hash filled in.
    func sealed() throws(LifeboatError) -> AuditRecord {
        var record = self
        record.recordSha256 = ""
        record.recordSha256 = SHA256Hasher.hex(of: try record.canonicalBytes())
        return record
    }

    /// Whether `bytes` are exactly this record's canonical form with a correct own hash.
    func isIntact(storedAs bytes: [UInt8]) -> Bool {
        guard let expected = try? sealed(), expected.recordSha256 == recordSha256 else { return false }
        return (try? canonicalBytes()) == bytes
    }

    static func decode(_ bytes: [UInt8]) -> AuditRecord? {
        try? JSONDecoder().decode(AuditRecord.self, from: Data(bytes))
    }

    static func objectName(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".json"
    }

    static func sequence(objectName: String) -> UInt64? {
        guard objectName.hasSuffix(".json") else { return nil }
        let digits = objectName.dropLast(5)
        guard digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }
}
