import Foundation
import LifeboatCore
import LifeboatStorage

/// `<stanza>/pin/<label>.json`: a backup kept out of expiry (a legal hold, a release snapshot).
/// Manifests are immutable, so a pin is its own small object, written durably.
public struct PinRecord: Codable, Sendable, Equatable {
    public var label: String
    public var reason: String?
    /// nil: until `lifeboat unpin`.
    public var until: Date?
    public var pinnedAt: Date
    public var pinnedBy: String

    func encoded() throws(LifeboatError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do { return Array(try encoder.encode(self)) } catch {
            throw LifeboatError(.internal, "pin of '\(label)' cannot be encoded: \(error)")
        }
    }

    static func decode(_ bytes: [UInt8], path: String) throws(LifeboatError) -> PinRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(PinRecord.self, from: Data(bytes)) } catch {
            throw LifeboatError(.corrupt, "pin record '\(path)' cannot be read: \(error)", hint: "remove it with `lifeboat unpin` and pin again")
        }
    }

    public func isActive(at now: Date) -> Bool { until.map { $0 > now } ?? true }
}

public struct PinReport: Codable, Sendable {
    public var label: String
    public var pinned: Bool
    /// The pin as now stored (pin), or as it was (unpin); nil when unpin found none.
    public var pin: PinRecord?
}

extension Repository {
    var pinDirectory: String { "\(stanza)/pin" }
    func pinPath(_ label: String) -> String { "\(pinDirectory)/\(label).json" }

    /// Every pin of the stanza, by label.
    func pins() async throws -> [PinRecord] {
        var pins: [PinRecord] = []
        for entry in try await storage.list(pinDirectory) where entry.kind == .file && entry.name.hasSuffix(".json") {
            let path = pinDirectory + "/" + entry.name
            pins.append(try PinRecord.decode(try await storage.readAll(path), path: path))
        }
        return pins
    }
}

/// `lifeboat pin LABEL` / `lifeboat unpin LABEL`.
public enum PinCommand {
    public static func pin(_ context: EngineContext, label: String, reason: String?, until: Date?, now: Date = Date()) async throws -> PinReport {
        let repository = try await prepare(context, label: label)
        if let until, until <= now {
            throw LifeboatError(.invalidArgument, "--until \(TargetTime.display(until)) is in the past", hint: "give a future date, or leave --until out to pin until unpinned")
        }
        let lock = try StanzaLock.acquire(context, purpose: "pin")
        defer { lock.release() }
        _ = try await repository.manifest(label)
        let record = PinRecord(label: label, reason: reason, until: until, pinnedAt: now, pinnedBy: AuditTrail.userName())
        try await context.storage.write(repository.pinPath(label), contents: try record.encoded(), options: WriteOptions(durable: true))
        return PinReport(label: label, pinned: true, pin: record)
    }

    public static func unpin(_ context: EngineContext, label: String) async throws -> PinReport {
        let repository = try await prepare(context, label: label)
        let lock = try StanzaLock.acquire(context, purpose: "pin")
        defer { lock.release() }
        let path = repository.pinPath(label)
        guard try await context.storage.info(path) != nil else {
            _ = try await repository.manifest(label)   // unknown label: 31
            return PinReport(label: label, pinned: false, pin: nil)
        }
        let record = try? PinRecord.decode(try await context.storage.readAll(path), path: path)
        try await context.storage.remove(path)
        return PinReport(label: label, pinned: false, pin: record)
    }

    private static func prepare(_ context: EngineContext, label: String) async throws -> Repository {
        try await context.requireRepository()
        let repository = context.repository
        _ = try await repository.loadStanza()
        guard !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw LifeboatError(.backupNotFound, "backup '\(label)' not found in stanza '\(context.stanza)'",
                                hint: "list the backups with `lifeboat info --stanza \(context.stanza)`")
        }
        return repository
    }
}
