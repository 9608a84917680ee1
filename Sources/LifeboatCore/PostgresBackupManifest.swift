import Foundation

/// PostgreSQL's own `backup_manifest` (version 1, as PostgreSQL 13-16 write it), so that
/// `pg_verifybackup -n DIR` can check a restored data directory.
///
/// The layout mirrors src/backend/backup/backup_manifest.c byte for byte: the header line, one
/// line per file, the WAL ranges, then "Manifest-Checksum", the SHA-256 of every byte before that
/// line (pg_verifybackup recomputes it over everything up to the last-but-one newline).
public enum PostgresBackupManifest {
    public struct File: Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public var lastModified: Date
        public var sha256Hex: String

        public init(path: String, size: UInt64, lastModified: Date, sha256Hex: String) {
            self.path = path
            self.size = size
            self.lastModified = lastModified
            self.sha256Hex = sha256Hex
        }
    }

    public struct WALRange: Sendable, Equatable {
        public var timeline: UInt32
        public var startLSN: LSN
        public var endLSN: LSN

        public init(timeline: UInt32, startLSN: LSN, endLSN: LSN) {
            self.timeline = timeline
            self.startLSN = startLSN
            self.endLSN = endLSN
        }
    }

    /// The exact text PostgreSQL 15 writes for these files and WAL ranges (ranges newest timeline first,
    /// as the server lists them), ending with the Manifest-Checksum line and a newline.
    public static func render(files: [File], walRanges: [WALRange]) -> String {
        var text = "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": ["
        for (index, file) in files.enumerated() {
            // Each entry terminates the previous line, so there is no comma after the last one.
            text += index == 0 ? "\n" : ",\n"
            text += "{ \"Path\": \(jsonString(file.path)), \"Size\": \(file.size), "
            text += "\"Last-Modified\": \"\(lastModified(file.lastModified))\", "
            text += "\"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"\(file.sha256Hex)\" }"
        }
        text += "\n],\n"
        text += "\"WAL-Ranges\": [\n"
        text += walRanges.map {
            "{ \"Timeline\": \($0.timeline), \"Start-LSN\": \"\($0.startLSN)\", \"End-LSN\": \"\($0.endLSN)\" }"
        }.joined(separator: ",\n")
        text += "\n],\n"
        let checksum = SHA256Digest.hex(of: Array(text.utf8))
        return text + "\"Manifest-Checksum\": \"\(checksum)\"}\n"
    }

    /// `pg_strftime("%Y-%m-%d %H:%M:%S %Z", pg_gmtime(&mtime))` of the whole-second mtime.
    static func lastModified(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return CivilTime(epochMicroseconds: seconds * 1_000_000).format(separator: " ") + " GMT"
    }

    /// PostgreSQL's `escape_json`: the short escapes, other control characters as lower-case
    /// "\u00xx", everything else (including non-ASCII UTF-8) unchanged.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
