import Foundation
@testable import LifeboatCore

/// A deterministic generator (SplitMix64) so every "random" catalogue can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds catalogues the way a repository grows: one backup a day, each taking a few WAL segments.
struct CatalogueBuilder {
    static let origin = utc("2026-01-01 00:00:00+00")
    static let segment: UInt64 = 16 << 20

    private(set) var backups: [RetentionBackup] = []
    private(set) var nextSegment: UInt64 = 2
    private(set) var day = 0
    var timeline: UInt32 = 1

    /// Adds a backup of `type`; diff references the newest full, incr the newest backup.
    @discardableResult
    mutating func add(_ type: BackupType, segments: UInt64 = 2, gapSegments: UInt64 = 3, hours: Int = 24) -> RetentionBackup {
        let reference: String?
        switch type {
        case .full: reference = nil
        case .diff: reference = backups.last { $0.type == .full }?.label
        case .incr: reference = backups.last?.label
        }
        let start = nextSegment
        let stop = start + segments - 1
        let startTime = Self.origin.addingTimeInterval(Double(day) * 3600)
        let suffix = type == .full ? "F" : type == .diff ? "D" : "I"
        let label = "B\(String(format: "%04d", backups.count))\(suffix)"
        let backup = RetentionBackup(
            label: label, type: type, reference: reference, timeline: timeline,
            startLSN: LSN(rawValue: start * Self.segment + 40), stopLSN: LSN(rawValue: stop * Self.segment + 0x100),
            startTime: startTime, stopTime: startTime.addingTimeInterval(600),
            startSegment: start, stopSegment: stop)
        backups.append(backup)
        nextSegment = stop + 1 + gapSegments
        day += hours
        return backup
    }

    /// Every segment from 1 up to the last one written, on the current timeline.
    var archive: RetentionArchive {
        RetentionArchive(segments: [timeline: Set(1..<nextSegment)])
    }

    /// The moment just after the last backup.
    var now: Date { Self.origin.addingTimeInterval(Double(day) * 3600) }
}

extension RetentionPlan {
    var removedLabels: [String] { backups.map(\.label) }

    /// Archived segments of `timeline` that survive the plan.
    func survivingSegments(_ archive: RetentionArchive, timeline: UInt32) -> Set<UInt64> {
        Set(archive.segments[timeline, default: []].filter { !removesSegment(timeline: timeline, number: $0) })
    }
}
