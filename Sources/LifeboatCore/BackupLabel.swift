/// The `backup_label` content `pg_backup_stop` returns (PostgreSQL 15 layout):
///
///     START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
///     CHECKPOINT LOCATION: 0/2000060
///     BACKUP METHOD: streamed
///     BACKUP FROM: primary
///     START TIME: 2026-11-21 10:00:00 UTC
///     LABEL: lifeboat
///     START TIMELINE: 1
///
/// Only the two locations are required (recovery cannot start without them); unknown lines, such
/// as PostgreSQL 17's "INCREMENTAL FROM LSN", are ignored so newer servers still parse.
public struct BackupLabel: Sendable, Equatable {
    public let startLSN: LSN
    public let startWALFile: String
    public let checkpointLSN: LSN
    public let backupMethod: String?
    public let backupFrom: String?
    public let startTime: String?
    public let label: String?
    public let startTimeline: UInt32?

    public init(parsing text: String) throws(LifeboatError) {
        // Key -> value of every "KEY: value" line; the first occurrence wins, as in PostgreSQL's reader.
        var fields: [String: String] = [:]
        for line in TextLines.split(text) {
            guard let colon = line.utf8.firstRange(of: ": ".utf8) else { continue }
            let key = String(line[..<colon.lowerBound])
            if fields[key] == nil { fields[key] = String(line[colon.upperBound...]) }
        }

        func missing(_ key: String) -> LifeboatError {
            LifeboatError(
                .parse, "backup_label has no '\(key)' line",
                hint: "the backup_label returned by pg_backup_stop is incomplete or corrupt")
        }
        func malformed(_ key: String, _ value: String) -> LifeboatError {
            LifeboatError(
                .parse, "malformed '\(key)' line in backup_label: '\(value)'",
                hint: "the backup_label returned by pg_backup_stop is incomplete or corrupt")
        }

        let startKey = "START WAL LOCATION"
        guard let start = fields[startKey] else { throw missing(startKey) }
        guard let parsedStart = Self.parseStart(start) else { throw malformed(startKey, start) }

        let checkpointKey = "CHECKPOINT LOCATION"
        guard let checkpoint = fields[checkpointKey] else { throw missing(checkpointKey) }
        guard let checkpointLSN = LSN(checkpoint) else { throw malformed(checkpointKey, checkpoint) }

        let timelineKey = "START TIMELINE"
        var startTimeline: UInt32?
        if let value = fields[timelineKey] {
            // A damaged timeline would send recovery down the wrong history, so it is not ignored.
            guard let tli = UInt32(value), tli != 0, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw malformed(timelineKey, value)
            }
            startTimeline = tli
        }

        self.startLSN = parsedStart.lsn
        self.startWALFile = parsedStart.file
        self.checkpointLSN = checkpointLSN
        self.backupMethod = fields["BACKUP METHOD"]
        self.backupFrom = fields["BACKUP FROM"]
        self.startTime = fields["START TIME"]
        self.label = fields["LABEL"]
        self.startTimeline = startTimeline
    }

    /// "0/2000028 (file 000000010000000000000002)"
    private static func parseStart(_ value: String) -> (lsn: LSN, file: String)? {
        guard let open = value.utf8.firstRange(of: " (file ".utf8), value.utf8.last == UInt8(ascii: ")") else {
            return nil
        }
        let lsnText = String(value[..<open.lowerBound])
        let fileText = String(value[open.upperBound...].dropLast())
        guard let lsn = LSN(lsnText), let file = WALFileName(fileText), file.kind == .segment else { return nil }
        return (lsn, fileText)
    }
}
