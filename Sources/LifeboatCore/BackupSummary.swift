import Foundation

/// What restore planning needs to know about one backup (a manifest without its file list).
public struct BackupSummary: Sendable, Equatable {
    public var label: String
    public var type: BackupType
    public var timeline: UInt32
    public var startLSN: LSN
    public var stopLSN: LSN
    public var startTime: Date
    public var stopTime: Date
    public var stopNextXid: UInt64?

    public init(
        label: String, type: BackupType, timeline: UInt32, startLSN: LSN, stopLSN: LSN, startTime: Date,
        stopTime: Date, stopNextXid: UInt64?
    ) {
        self.label = label
        self.type = type
        self.timeline = timeline
        self.startLSN = startLSN
        self.stopLSN = stopLSN
        self.startTime = startTime
        self.stopTime = stopTime
        self.stopNextXid = stopNextXid
    }

    public init(_ manifest: BackupManifest) {
        self.init(
            label: manifest.label, type: manifest.type, timeline: manifest.timeline, startLSN: manifest.startLSN,
            stopLSN: manifest.stopLSN, startTime: manifest.startTime, stopTime: manifest.stopTime,
            stopNextXid: manifest.stopNextXid)
    }

    /// Oldest first: by stop LSN (WAL positions only grow, even across timelines), then stop time,
    /// then label so equal backups still sort deterministically.
    static func endsBefore(_ lhs: BackupSummary, _ rhs: BackupSummary) -> Bool {
        if lhs.stopLSN != rhs.stopLSN { return lhs.stopLSN < rhs.stopLSN }
        if lhs.stopTime != rhs.stopTime { return lhs.stopTime < rhs.stopTime }
        return lhs.label.utf8.lexicographicallyPrecedes(rhs.label.utf8)
    }
}
