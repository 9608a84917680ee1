import Foundation
import LifeboatCore

/// One check of a drill and how it ended.
public struct DrillCheck: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case passed, failed, skipped
    }

    public var name: String
    public var outcome: Outcome
    public var message: String

    public init(name: String, outcome: Outcome, message: String) {
        self.name = name
        self.outcome = outcome
        self.message = message
    }
}

/// The result of `lifeboat drill`, as printed, recorded in the repository (`<stanza>/drill/<time>.json`)
/// and handed to `notify-command`. Self-contained so an audit trail can store it as one entry.
public struct DrillReport: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case passed, failed
    }

    public var stanza: String
    public var outcome: Outcome
    public var startedAt: Date
    public var finishedAt: Date
    /// The backup restored.
    public var backupLabel: String
    /// "end of archive" or "time 2026-11-21 12:00:00.000000+00".
    public var target: String
    /// Set for a time target (--target-time, --random-target).
    public var targetTime: Date?
    /// Copying and verifying the backup's files.
    public var restoreSeconds: Double
    /// Starting PostgreSQL and replaying WAL until it left recovery.
    public var recoverySeconds: Double
    /// restore + recovery: how long a real restore of this backup takes to be ready for clients.
    public var timeToReadySeconds: Double
    public var rtoSeconds: Double?
    public var rtoMet: Bool?
    public var checks: [DrillCheck]
    public var lifeboatVersion: String
    public var host: String
    /// The scratch directory, kept only with --keep.
    public var scratchDirectory: String
    public var kept: Bool
    /// Where the record lives in the repository (nil if it could not be written).
    public var record: String?

    public var failedChecks: [DrillCheck] { checks.filter { $0.outcome == .failed } }

    /// The JSON stored in the repository and given to notify-command: UTC times with microseconds.
    public func recordJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(DrillReport.isoText(date))
        }
        return Array(try encoder.encode(self)) + [0x0A]
    }

    public static func decodeRecord(_ bytes: [UInt8]) throws -> DrillReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            do {
                return try TargetTime.parse(text, defaultOffsetSeconds: 0)
            } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad time '\(text)'"))
            }
        }
        return try decoder.decode(DrillReport.self, from: Data(bytes))
    }

    /// "2026-11-21 12:34:56.123456+00": UTC with microseconds, what `TargetTime.parse` reads back.
    static func isoText(_ date: Date) -> String { TargetTime.postgresText(date) }
}
