import Foundation
import Testing
@testable import LifeboatCore

/// Random catalogues, pins, windows and policies (seeded, so a failure names the seed that replays it):
/// whatever the planner decides, it never removes what the policy must keep.
@Suite("retention planner: properties over generated catalogues")
struct RetentionPropertyTests {
    struct Scenario: CustomStringConvertible {
        var seed: UInt64
        var backups: [RetentionBackup]
        var pins: [RetentionPin]
        var archive: RetentionArchive
        var policy: RetentionPolicy
        var now: Date
        var description: String { "seed \(seed): policy \(policy), pins \(pins.map(\.label)), backups \(backups.map(\.label))" }
    }

    static func scenario(seed: UInt64) -> Scenario {
        var random = SeededGenerator(seed: seed)
        var builder = CatalogueBuilder()
        let count = Int.random(in: 0...25, using: &random)
        for index in 0..<count {
            let roll = Int.random(in: 0..<10, using: &random)
            let type: BackupType = index == 0 || roll < 3 ? .full : roll < 6 ? .diff : .incr
            builder.add(type, segments: UInt64.random(in: 1...3, using: &random), gapSegments: UInt64.random(in: 0...4, using: &random),
                        hours: Int.random(in: 1...72, using: &random))
        }
        var pins: [RetentionPin] = []
        for backup in builder.backups where Int.random(in: 0..<8, using: &random) == 0 {
            let until: Date? = Bool.random(using: &random) ? nil : builder.now.addingTimeInterval(Double(Int.random(in: -100_000...100_000, using: &random)))
            pins.append(RetentionPin(label: backup.label, until: until))
        }
        func maybe(_ range: ClosedRange<Int>) -> Int? { Bool.random(using: &random) ? Int.random(in: range, using: &random) : nil }
        var policy = RetentionPolicy(full: maybe(1...4), diff: maybe(1...4), minFull: maybe(1...3))
        if Bool.random(using: &random) {
            let units: [RetentionWindow.Unit] = [.hours, .days, .weeks]
            policy.window = RetentionWindow(amount: Int.random(in: 1...100, using: &random), unit: units.randomElement(using: &random)!)
        }
        // Archived WAL with a few holes, as after a failed archive_command that was later fixed.
        var segments = Set(1..<builder.nextSegment)
        for _ in 0..<Int.random(in: 0...3, using: &random) where !segments.isEmpty { segments.remove(segments.randomElement(using: &random)!) }
        return Scenario(
            seed: seed, backups: builder.backups.shuffled(using: &random), pins: pins, archive: RetentionArchive(segments: [1: segments]),
            policy: policy, now: builder.now)
    }

    static let seeds: [UInt64] = Array(1...1500)

    @Test("planned deletions respect chains, min-full, pins, the window, the count rules and WAL needs")
    func invariants() {
        for seed in Self.seeds {
            let scenario = Self.scenario(seed: seed)
            let plan = RetentionPlanner.plan(
                backups: scenario.backups, pins: scenario.pins, archive: scenario.archive, policy: scenario.policy, now: scenario.now)
            check(plan, scenario)
        }
    }

    private func check(_ plan: RetentionPlan, _ scenario: Scenario) {
        let sorted = scenario.backups.sorted { $0.stopLSN < $1.stopLSN }
        let byLabel = Dictionary(uniqueKeysWithValues: sorted.map { ($0.label, $0) })
        let removed = Set(plan.removedLabels)
        let kept = Set(sorted.map(\.label)).subtracting(removed)
        let policy = scenario.policy
        func ancestors(_ label: String) -> [String] {
            var result: [String] = []
            var current = byLabel[label]
            while let backup = current, backup.type != .full, let reference = backup.reference {
                result.append(reference)
                current = byLabel[reference]
            }
            return result
        }
        func root(_ label: String) -> String? { ([label] + ancestors(label)).last.flatMap { byLabel[$0]?.type == .full ? $0 : nil } }
        let surviving = plan.survivingSegments(scenario.archive, timeline: 1)
        let archived = scenario.archive.segments[1, default: []]

        // The plan is a partition, listed oldest first.
        #expect(plan.kept == sorted.map(\.label).filter { kept.contains($0) }, "\(scenario)")
        #expect(plan.removedLabels == sorted.map(\.label).filter { removed.contains($0) }, "\(scenario)")

        // No policy: nothing at all.
        if policy.removesNothing {
            #expect(plan.isEmpty, "\(scenario)")
            return
        }
        // Chains are never broken: whatever a kept backup depends on is kept.
        for label in kept { #expect(ancestors(label).allSatisfy(kept.contains), "\(label) kept without its chain: \(scenario)") }

        // min-full is a floor.
        let fulls = sorted.filter { $0.type == .full }
        if let minimum = policy.minFull {
            for full in fulls.suffix(minimum) { #expect(kept.contains(full.label), "min-full lost \(full.label): \(scenario)") }
        }
        // Active pins keep their backup and the WAL from its start to its stop.
        for pin in scenario.pins where pin.isActive(at: scenario.now) {
            guard let backup = byLabel[pin.label] else { continue }
            #expect(kept.contains(pin.label), "pinned \(pin.label) removed: \(scenario)")
            let needed = archived.filter { (backup.startSegment...backup.stopSegment).contains($0) }
            #expect(needed.isSubset(of: surviving), "pinned \(pin.label) lost WAL: \(scenario)")
        }
        // The count rules keep what they promise.
        let diffTrimmed: (String) -> Bool = { label in
            guard let count = policy.diff else { return false }
            let expiredDiffs = Set(sorted.filter { $0.type == .diff }.dropLast(count).map(\.label))
            return ([label] + ancestors(label)).contains(where: expiredDiffs.contains)
        }
        if let count = policy.full {
            let keptFulls = Set(fulls.suffix(count).map(\.label))
            for backup in sorted where root(backup.label).map(keptFulls.contains) ?? false && !diffTrimmed(backup.label) {
                #expect(kept.contains(backup.label), "retention-full \(count) lost \(backup.label): \(scenario)")
            }
        }
        // The window: the newest backup ending before it, all that follows (unless trimmed by
        // retention-diff), and all WAL from that backup on.
        var floorSegment: UInt64?
        if let window = policy.window {
            let start = window.start(endingAt: scenario.now)
            if let anchorIndex = sorted.lastIndex(where: { $0.stopTime <= start }) {
                let anchor = sorted[anchorIndex]
                #expect(kept.contains(anchor.label), "window anchor \(anchor.label) removed: \(scenario)")
                for backup in sorted[anchorIndex...] where !diffTrimmed(backup.label) {
                    #expect(kept.contains(backup.label), "window lost \(backup.label): \(scenario)")
                }
                floorSegment = anchor.startSegment
            } else {
                for backup in sorted where !diffTrimmed(backup.label) { #expect(kept.contains(backup.label), "\(scenario)") }
                floorSegment = sorted.first?.startSegment
            }
        }
        if let count = policy.full, let oldestKeptFull = fulls.suffix(count).first {
            floorSegment = min(floorSegment ?? .max, oldestKeptFull.startSegment)
        }
        if let count = policy.diff, policy.full == nil, policy.window == nil {
            // Only diffs are trimmed: every full stays, and so does its WAL.
            for full in fulls { #expect(kept.contains(full.label), "\(scenario)") }
            floorSegment = sorted.first?.startSegment
            for diff in sorted.filter({ $0.type == .diff }).suffix(count) { #expect(kept.contains(diff.label), "\(scenario)") }
        }
        if let floorSegment {
            #expect(archived.filter { $0 >= floorSegment }.isSubset(of: surviving), "WAL from segment \(floorSegment) lost: \(scenario)")
        }
        // Every kept backup can still reach consistency.
        for label in kept {
            guard let backup = byLabel[label] else { continue }
            #expect(archived.filter { (backup.startSegment...backup.stopSegment).contains($0) }.isSubset(of: surviving), "\(scenario)")
        }
        // Exactness where the rule alone decides: retention-full without other rules removes exactly the
        // older fulls and their dependents.
        if let count = policy.full, policy.diff == nil, policy.window == nil, policy.minFull == nil, scenario.pins.isEmpty {
            let keptFulls = Set(fulls.suffix(count).map(\.label))
            let expected = Set(sorted.filter { root($0.label).map { !keptFulls.contains($0) } ?? false }.map(\.label))
            #expect(removed == expected, "\(scenario)")
            if let oldest = fulls.suffix(count).first {
                let oldestNeeded = sorted.filter { kept.contains($0.label) }.map(\.startSegment).min() ?? oldest.startSegment
                #expect(surviving == archived.filter { $0 >= oldestNeeded }, "\(scenario)")
            }
        }
    }

    @Test("the same inputs always give the same plan, whatever their order")
    func deterministic() {
        for seed in Self.seeds.prefix(300) {
            let scenario = Self.scenario(seed: seed)
            var random = SeededGenerator(seed: seed &* 31)
            let one = RetentionPlanner.plan(
                backups: scenario.backups, pins: scenario.pins, archive: scenario.archive, policy: scenario.policy, now: scenario.now)
            let two = RetentionPlanner.plan(
                backups: scenario.backups.shuffled(using: &random), pins: scenario.pins.shuffled(using: &random),
                archive: scenario.archive, policy: scenario.policy, now: scenario.now)
            #expect(one == two, "\(scenario)")
        }
    }
}
