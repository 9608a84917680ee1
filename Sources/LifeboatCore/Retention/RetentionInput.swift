import Foundation

/// What the retention planner needs to know about one backup.
public struct RetentionBackup: Sendable, Equatable {
    public var label: String
    public var type: BackupType
    /// The backup a diff/incr depends on; nil for a full.
    public var reference: String?
    public var timeline: UInt32
    public var startLSN: LSN
    public var stopLSN: LSN
    public var startTime: Date
    public var stopTime: Date
    /// Every other backup whose stored bytes this one's files use (`ManifestFile.reference`). Normally
    /// within the `reference` chain; followed too, so no removal can ever take bytes a kept backup reads.
    public var fileReferences: Set<String> = []
    /// Segment holding `startLSN` (the first WAL a restore of this backup reads).
    public var startSegment: UInt64
    /// Segment holding `stopLSN` (the last WAL needed to make it consistent).
    public var stopSegment: UInt64

    public init(
        label: String, type: BackupType, reference: String?, timeline: UInt32, startLSN: LSN, stopLSN: LSN,
        startTime: Date, stopTime: Date, startSegment: UInt64, stopSegment: UInt64
    ) {
        self.label = label
        self.type = type
        self.reference = reference
        self.timeline = timeline
        self.startLSN = startLSN
        self.stopLSN = stopLSN
        self.startTime = startTime
        self.stopTime = stopTime
        self.startSegment = startSegment
        self.stopSegment = stopSegment
    }

    public init(_ manifest: BackupManifest) {
        let size = WALSegmentSize(bytes: manifest.walSegmentSize) ?? .default16MiB
        self.init(
            label: manifest.label, type: manifest.type, reference: manifest.reference, timeline: manifest.timeline,
            startLSN: manifest.startLSN, stopLSN: manifest.stopLSN, startTime: manifest.startTime,
            stopTime: manifest.stopTime,
            startSegment: WALSegment(containing: manifest.startLSN, timeline: manifest.timeline, segmentSize: size).number,
            stopSegment: WALSegment(containing: manifest.stopLSN, timeline: manifest.timeline, segmentSize: size).number)
        fileReferences = Set(manifest.files.compactMap(\.reference)).subtracting([manifest.label])
    }

    /// Oldest first: by stop LSN, then stop time, then label (deterministic for equal backups).
    static func endsBefore(_ lhs: RetentionBackup, _ rhs: RetentionBackup) -> Bool {
        if lhs.stopLSN != rhs.stopLSN { return lhs.stopLSN < rhs.stopLSN }
        if lhs.stopTime != rhs.stopTime { return lhs.stopTime < rhs.stopTime }
        return lhs.label.utf8.lexicographicallyPrecedes(rhs.label.utf8)
    }
}

/// A pin: keeps a backup (and what it needs to be restored consistently) out of expiry.
public struct RetentionPin: Sendable, Equatable {
    public var label: String
    /// nil: until unpinned.
    public var until: Date?

    public init(label: String, until: Date?) {
        self.label = label
        self.until = until
    }

    public func isActive(at now: Date) -> Bool { until.map { $0 > now } ?? true }
}

/// The archived WAL of a repository as the planner sees it.
public struct RetentionArchive: Sendable, Equatable {
    /// Archived segment numbers per timeline.
    public var segments: [UInt32: Set<UInt64>]
    /// Parsed `.history` files by timeline. A timeline above 1 with segments but no history has an
    /// unknown ancestry: its WAL is never removed.
    public var histories: [UInt32: TimelineHistory]

    public init(segments: [UInt32: Set<UInt64>] = [:], histories: [UInt32: TimelineHistory] = [:]) {
        self.segments = segments
        self.histories = histories
    }
}
