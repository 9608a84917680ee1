import Foundation

/// Lifeboat's own manifest for one backup: what was copied, from which cluster, and the WAL it needs.
///
/// Stored as JSON whose keys are the property names. It is read back from a repository that may
/// have been tampered with, so `decode` validates every path before anyone can act on it.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// Bumped on incompatible changes; `decode` refuses versions it does not know.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var label: String
    public var type: BackupType
    /// Prior backup for diff/incr; nil for full.
    public var reference: String?
    public var lifeboatVersion: String
    /// The cluster's system identifier (UInt64) as decimal text, so JSON tools do not round it.
    public var systemIdentifier: String
    /// server_version_num, e.g. 150018.
    public var pgVersion: Int
    public var timeline: UInt32
    public var startLSN: LSN
    public var stopLSN: LSN
    public var startTime: Date
    public var stopTime: Date
    public var startWALFile: String
    public var stopWALFile: String
    /// Next xid at stop (xmax of a snapshot taken after pg_backup_stop).
    public var stopNextXid: UInt64?
    public var walSegmentSize: UInt64
    /// "zstd" | "lz4" | "gzip" | "none"
    public var compressType: String
    public var compressLevel: Int
    /// Content returned by pg_backup_stop.
    public var backupLabel: String
    public var tablespaceMap: String?
    public var tablespaces: [TablespaceEntry]
    public var directories: [ManifestDirectory]
    public var files: [ManifestFile]

    public init(
        label: String, type: BackupType, reference: String?, lifeboatVersion: String, systemIdentifier: String,
        pgVersion: Int, timeline: UInt32, startLSN: LSN, stopLSN: LSN, startTime: Date, stopTime: Date,
        startWALFile: String, stopWALFile: String, stopNextXid: UInt64?, walSegmentSize: UInt64,
        compressType: String, compressLevel: Int, backupLabel: String, tablespaceMap: String?,
        tablespaces: [TablespaceEntry], directories: [ManifestDirectory], files: [ManifestFile]
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.label = label
        self.type = type
        self.reference = reference
        self.lifeboatVersion = lifeboatVersion
        self.systemIdentifier = systemIdentifier
        self.pgVersion = pgVersion
        self.timeline = timeline
        self.startLSN = startLSN
        self.stopLSN = stopLSN
        self.startTime = startTime
        self.stopTime = stopTime
        self.startWALFile = startWALFile
        self.stopWALFile = stopWALFile
        self.stopNextXid = stopNextXid
        self.walSegmentSize = walSegmentSize
        self.compressType = compressType
        self.compressLevel = compressLevel
        self.backupLabel = backupLabel
        self.tablespaceMap = tablespaceMap
        self.tablespaces = tablespaces
        self.directories = directories
        self.files = files
    }

    /// Sum of the files' original sizes.
    public var originalSize: UInt64 {
        files.reduce(0) { $0 + $1.size }
    }

    /// Bytes this backup itself stores (files referenced from earlier backups are not counted).
    public var storedSize: UInt64 {
        files.reduce(0) { $0 + ($1.reference == nil ? $1.storedSize : 0) }
    }

    /// Every other backup this one's files are rebuilt from (file references and page layers), sorted.
    public var dependencies: [String] {
        Set(files.flatMap { $0.dependencies(in: label) }).sorted()
    }

    /// Relation files whose data checksums failed when this backup copied them.
    public var checksumPageErrorCount: Int {
        files.reduce(0) { $0 + ($1.checksumPageErrors?.count ?? 0) }
    }

    /// JSON with sorted keys (stable diffs and checksums), pretty printed, dates as ISO-8601 UTC
    /// with microseconds ("2026-11-21T10:00:00.123456Z"), slashes unescaped.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(TimestampText.iso8601(date))
        }
        return Array(try encoder.encode(self))
    }

    /// Parses and validates a manifest read from a repository.
    ///
    /// Throws .corrupt when the JSON does not parse or has an unknown format version, and
    /// .unsafePath when a file or directory path (or the label/reference used to locate stored
    /// bytes) could escape its directory.
    public static func decode(_ bytes: [UInt8]) throws(LifeboatError) -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = TimestampText.parse(text, maxFractionDigits: 9, defaultOffsetSeconds: nil) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "invalid timestamp '\(text)': expected ISO-8601 with a zone")
            }
            return date
        }
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: Data(bytes))
        } catch {
            throw LifeboatError(
                .corrupt, "backup manifest does not parse: \(describe(error))",
                hint: "the manifest is damaged or not a Lifeboat manifest; run `lifeboat verify` and take a new backup")
        }
        guard manifest.formatVersion == currentFormatVersion else {
            throw LifeboatError(
                .corrupt,
                "backup manifest format version \(manifest.formatVersion) is not supported (expected \(currentFormatVersion))",
                hint: "use the Lifeboat version that wrote this backup (\(manifest.lifeboatVersion)) or a newer one")
        }
        try ManifestPath.validateName(manifest.label, what: "backup label")
        if let reference = manifest.reference { try ManifestPath.validateName(reference, what: "backup reference") }
        for directory in manifest.directories { _ = try ManifestPath.validate(directory.path) }
        for file in manifest.files {
            _ = try ManifestPath.validate(file.path)
            if let reference = file.reference { try ManifestPath.validateName(reference, what: "file reference") }
            for layer in file.blockIncremental?.base ?? [] { try ManifestPath.validateName(layer.label, what: "block layer") }
        }
        return manifest
    }

    /// One line naming where the JSON went wrong, instead of Foundation's multi-line dump.
    private static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "top level" : "'" + String(text.drop(while: { $0 == "." })) + "'"
        }
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "missing key '\(key.stringValue)'\(parent)"
        case .typeMismatch(let type, let context):
            return "wrong type at \(path(context)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "null at \(path(context)): expected \(type)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
