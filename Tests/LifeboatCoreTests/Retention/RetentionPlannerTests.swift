import Foundation
import Testing
@testable import LifeboatCore

@Suite("retention planner: examples")
struct RetentionPlannerTests {
    @Test("no policy: nothing is removed and the plan says why")
    func noPolicy() {
        var builder = CatalogueBuilder()
        for _ in 0..<5 { builder.add(.full) }
        let plan = RetentionPlanner.plan(backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(), now: builder.now)
        #expect(plan.isEmpty)
        #expect(plan.kept.count == 5)
        #expect(plan.notes == ["no retention policy is configured (retention-full, retention-diff or retention-window): nothing is removed"])
    }

    @Test("retention-full 2 of 3 fulls: the oldest goes with its WAL, up to the next full's start")
    func fullCount() {
        var builder = CatalogueBuilder()
        let first = builder.add(.full)
        let second = builder.add(.full)
        let third = builder.add(.full)
        let plan = RetentionPlanner.plan(backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(full: 2), now: builder.now)
        #expect(plan.removedLabels == [first.label])
        #expect(plan.backups.first?.rule == "retention-full")
        #expect(plan.backups.first?.reason == "older than the 2 newest full backups")
        #expect(plan.kept == [second.label, third.label])
        #expect(plan.wal == [RetentionPlan.WALRemoval(
            timeline: 1, firstSegment: 1, lastSegment: second.startSegment - 1, count: Int(second.startSegment - 1),
            reason: "before segment \(second.startSegment), the oldest WAL a retained backup needs on timeline 1")])
    }

    @Test("a full goes with its diff and incr backups; the dependents say what they depended on")
    func dependentsGoTogether() {
        var builder = CatalogueBuilder()
        let full = builder.add(.full)
        let diff = builder.add(.diff)
        let incr = builder.add(.incr)
        let newFull = builder.add(.full)
        let newIncr = builder.add(.incr)
        let plan = RetentionPlanner.plan(backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.removedLabels == [full.label, diff.label, incr.label])
        #expect(plan.backups.map(\.reason) == [
            "older than the 1 newest full backup", "depends on \(full.label), which is removed", "depends on \(diff.label), which is removed",
        ])
        #expect(plan.kept == [newFull.label, newIncr.label])
    }

    @Test("an incr whose full is gone is kept and named, whatever the policy")
    func brokenChainIsKeptAndNamed() {
        var builder = CatalogueBuilder()
        let lostFull = builder.add(.full)
        let orphan = builder.add(.incr)
        let orphanChild = builder.add(.incr)
        for _ in 0..<3 { builder.add(.full) }
        let catalogue = builder.backups.filter { $0.label != lostFull.label }
        for policy in [RetentionPolicy(), RetentionPolicy(full: 1)] {
            let plan = RetentionPlanner.plan(backups: catalogue, pins: [], archive: builder.archive, policy: policy, now: builder.now)
            #expect(!plan.removedLabels.contains(orphan.label) && !plan.removedLabels.contains(orphanChild.label))
            #expect(plan.notes.first == "\(orphan.label) cannot be restored: it depends on \(lostFull.label), which is not in the repository; expire keeps it (`lifeboat verify` shows the gap; `lifeboat expire --set \(orphan.label)` removes it)")
        }
    }

    @Test("expire --set removes the named backup and its dependents whatever the policy keeps; no policy: no WAL goes")
    func namedSet() throws {
        var builder = CatalogueBuilder()
        let first = builder.add(.full)
        let incr = builder.add(.incr)
        let second = builder.add(.full)
        let plan = try RetentionPlanner.plan(removingSet: first.label, backups: builder.backups, pins: [], archive: builder.archive,
                                             policy: RetentionPolicy(), now: builder.now)
        #expect(plan.removedLabels == [first.label, incr.label])
        #expect(plan.backups.map(\.rule) == ["--set", "--set"])
        #expect(plan.backups.map(\.reason) == ["named by expire --set", "depends on \(first.label), which is removed"])
        #expect(plan.kept == [second.label])
        #expect(plan.wal.isEmpty && plan.historyTimelines.isEmpty)

        // With a policy, its own WAL plan follows what is kept.
        let withPolicy = try RetentionPlanner.plan(removingSet: first.label, backups: builder.backups, pins: [], archive: builder.archive,
                                                   policy: RetentionPolicy(full: 5), now: builder.now)
        #expect(withPolicy.removedLabels == [first.label, incr.label])
        #expect(withPolicy.wal.first?.lastSegment == second.startSegment - 1)
    }

    @Test("expire --set removes an incr whose full is gone, which plain expire keeps")
    func namedSetRemovesABrokenChain() throws {
        var builder = CatalogueBuilder()
        let lost = builder.add(.full)
        let orphan = builder.add(.incr)
        builder.add(.full)
        let catalogue = builder.backups.filter { $0.label != lost.label }
        let plan = try RetentionPlanner.plan(removingSet: orphan.label, backups: catalogue, pins: [], archive: builder.archive,
                                             policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.removedLabels == [orphan.label])
    }

    @Test("expire --set refuses a pinned backup or dependent, retention-min-full, and an unknown label")
    func namedSetRefusals() {
        var builder = CatalogueBuilder()
        let first = builder.add(.full)
        let incr = builder.add(.incr)
        let second = builder.add(.full)
        func refusal(_ label: String, pins: [RetentionPin] = [], policy: RetentionPolicy = RetentionPolicy()) -> LifeboatError? {
            do {
                _ = try RetentionPlanner.plan(removingSet: label, backups: builder.backups, pins: pins, archive: builder.archive,
                                              policy: policy, now: builder.now)
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal(first.label, pins: [RetentionPin(label: incr.label, until: nil)])?.message
            == "backup \(incr.label) is pinned and depends on \(first.label): expire --set removes nothing")
        #expect(refusal(first.label, pins: [RetentionPin(label: first.label, until: builder.now.addingTimeInterval(-1))]) == nil,
                "an expired pin protects nothing")
        #expect(refusal(second.label, policy: RetentionPolicy(minFull: 2))?.message
            == "expire --set \(second.label) would leave 1 full backup, below retention-min-full 2")
        #expect(refusal("20990101-000000F")?.code == .backupNotFound)
    }

    @Test("retention-diff 1: older diffs go with their incrs, fulls stay")
    func diffCount() {
        var builder = CatalogueBuilder()
        let full = builder.add(.full)
        let oldDiff = builder.add(.diff)
        let oldIncr = builder.add(.incr)
        let newDiff = builder.add(.diff)
        let plan = RetentionPlanner.plan(backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(diff: 1), now: builder.now)
        #expect(plan.removedLabels == [oldDiff.label, oldIncr.label])
        #expect(plan.backups.map(\.rule) == ["retention-diff", "retention-diff"])
        #expect(plan.kept == [full.label, newDiff.label])
        // The full still needs its WAL from its start on: nothing is removed but what precedes it.
        #expect(plan.wal.map(\.lastSegment) == [full.startSegment - 1])
    }

    @Test("retention-window keeps the newest backup older than the window start and all WAL from it on")
    func window() throws {
        var builder = CatalogueBuilder()
        for _ in 0..<10 { builder.add(.full) }        // one a day, 10 days
        let window = try RetentionWindow(parsing: "3d")
        let start = window.start(endingAt: builder.now)
        let anchor = try #require(builder.backups.last { $0.stopTime <= start })
        let plan = RetentionPlanner.plan(backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(window: window), now: builder.now)
        let anchorIndex = try #require(builder.backups.firstIndex(of: anchor))
        #expect(plan.removedLabels == builder.backups[..<anchorIndex].map(\.label))
        #expect(plan.kept.first == anchor.label)
        #expect(plan.backups.allSatisfy { $0.rule == "retention-window" })
        let surviving = plan.survivingSegments(builder.archive, timeline: 1)
        #expect(surviving == Set(anchor.startSegment..<builder.nextSegment))
    }

    @Test("retention-window whose anchor is an incr keeps its whole chain")
    func windowAnchorChain() throws {
        var builder = CatalogueBuilder()
        builder.add(.full)
        let full = builder.add(.full)
        let diff = builder.add(.diff)
        let incr = builder.add(.incr)
        builder.add(.full, hours: 48)
        let plan = RetentionPlanner.plan(
            backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(window: RetentionWindow(amount: 2, unit: .days)),
            now: builder.now)
        #expect(plan.removedLabels == [builder.backups[0].label])
        #expect(plan.kept.prefix(3) == [full.label, diff.label, incr.label])
        #expect(plan.survivingSegments(builder.archive, timeline: 1).min() == full.startSegment)
    }

    @Test("retention-min-full is a floor: retention-full 1 with min-full 3 keeps three fulls")
    func minFull() {
        var builder = CatalogueBuilder()
        for _ in 0..<5 { builder.add(.full) }
        let plan = RetentionPlanner.plan(
            backups: builder.backups, pins: [], archive: builder.archive, policy: RetentionPolicy(full: 1, minFull: 3), now: builder.now)
        #expect(plan.removedLabels == builder.backups.prefix(2).map(\.label))
        #expect(plan.kept == builder.backups.suffix(3).map(\.label))
    }

    @Test("a pinned old backup stays with the WAL from its start to its stop, not the WAL after it")
    func pin() {
        var builder = CatalogueBuilder()
        let pinned = builder.add(.full, segments: 3)
        let middle = builder.add(.full)
        let newest = builder.add(.full)
        let plan = RetentionPlanner.plan(
            backups: builder.backups, pins: [RetentionPin(label: pinned.label, until: nil)], archive: builder.archive,
            policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.removedLabels == [middle.label])
        #expect(plan.kept == [pinned.label, newest.label])
        let surviving = plan.survivingSegments(builder.archive, timeline: 1)
        #expect(surviving == Set(pinned.startSegment...pinned.stopSegment).union(newest.startSegment..<builder.nextSegment))
        #expect(plan.notes.contains("\(pinned.label) is pinned: kept with the WAL from its start to its stop"))
    }

    @Test("a pin that has expired protects nothing, and the plan says so")
    func expiredPin() {
        var builder = CatalogueBuilder()
        let old = builder.add(.full)
        builder.add(.full)
        let until = builder.now.addingTimeInterval(-60)
        let plan = RetentionPlanner.plan(
            backups: builder.backups, pins: [RetentionPin(label: old.label, until: until)], archive: builder.archive,
            policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.removedLabels == [old.label])
        #expect(plan.notes == ["the pin on \(old.label) expired at \(TargetTime.display(until)): it no longer protects the backup"])
    }

    @Test("a pinned incr keeps its ancestors")
    func pinnedChain() {
        var builder = CatalogueBuilder()
        let full = builder.add(.full)
        let diff = builder.add(.diff)
        let incr = builder.add(.incr)
        let later = builder.add(.incr)
        builder.add(.full)
        let plan = RetentionPlanner.plan(
            backups: builder.backups, pins: [RetentionPin(label: incr.label, until: nil)], archive: builder.archive,
            policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.removedLabels == [later.label])
        #expect(Set([full.label, diff.label, incr.label]).isSubset(of: plan.kept))
    }

    @Test("a backup whose files read bytes stored by an older chain keeps that chain's backup")
    func fileReferences() {
        var builder = CatalogueBuilder()
        let old = builder.add(.full)
        let new = builder.add(.full)
        var incr = builder.add(.incr)
        incr.fileReferences = [old.label, new.label]
        var backups = builder.backups
        backups[2] = incr
        let plan = RetentionPlanner.plan(backups: backups, pins: [], archive: builder.archive, policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.backups.isEmpty)
        #expect(plan.kept == [old.label, new.label, incr.label])
    }

    @Test("retention-full and retention-window together: the longer horizon wins")
    func combinedHorizons() {
        var builder = CatalogueBuilder()
        for _ in 0..<6 { builder.add(.full) }
        let byCount = RetentionPlanner.plan(
            backups: builder.backups, pins: [], archive: builder.archive,
            policy: RetentionPolicy(full: 4, window: RetentionWindow(amount: 1, unit: .days)), now: builder.now)
        #expect(byCount.kept.count == 4)
        #expect(byCount.backups.allSatisfy { $0.rule == "retention-full, retention-window" })
        let byWindow = RetentionPlanner.plan(
            backups: builder.backups, pins: [], archive: builder.archive,
            policy: RetentionPolicy(full: 1, window: RetentionWindow(amount: 3, unit: .days)), now: builder.now)
        #expect(byWindow.kept.count == 4)
    }

    @Test("timelines: WAL of a timeline no retained backup reaches goes, the reachable one stays; .history kept while reachable")
    func timelines() {
        let history2 = TimelineHistory(timeline: 2, entries: [.init(parentTimeline: 1, switchPoint: LSN(rawValue: 5 * CatalogueBuilder.segment), reason: "")])
        let history3 = TimelineHistory(timeline: 3, entries: [
            .init(parentTimeline: 1, switchPoint: LSN(rawValue: 5 * CatalogueBuilder.segment), reason: ""),
            .init(parentTimeline: 2, switchPoint: LSN(rawValue: 9 * CatalogueBuilder.segment), reason: ""),
        ])
        let history4 = TimelineHistory(timeline: 4, entries: [.init(parentTimeline: 1, switchPoint: LSN(rawValue: 20 * CatalogueBuilder.segment), reason: "")])
        func backup(_ label: String, timeline: UInt32, segment: UInt64) -> RetentionBackup {
            RetentionBackup(
                label: label, type: .full, reference: nil, timeline: timeline, startLSN: LSN(rawValue: segment * CatalogueBuilder.segment + 40),
                stopLSN: LSN(rawValue: segment * CatalogueBuilder.segment + 400), startTime: CatalogueBuilder.origin.addingTimeInterval(Double(segment)),
                stopTime: CatalogueBuilder.origin.addingTimeInterval(Double(segment) + 1), startSegment: segment, stopSegment: segment)
        }
        // Old full on TL1 at segment 2, new full on TL2 at segment 7. TL3 branched from TL2 at 9 (reachable),
        // TL4 branched from TL1 at 20 — after the old full, which is removed, so nothing retained reaches TL4.
        let archive = RetentionArchive(
            segments: [1: Set(1...24), 2: Set(5...12), 3: Set(9...15), 4: Set(20...22)],
            histories: [2: history2, 3: history3, 4: history4])
        let plan = RetentionPlanner.plan(
            backups: [backup("OLD", timeline: 1, segment: 2), backup("NEW", timeline: 2, segment: 7)], pins: [], archive: archive,
            policy: RetentionPolicy(full: 1), now: CatalogueBuilder.origin.addingTimeInterval(86400))
        #expect(plan.removedLabels == ["OLD"])
        #expect(plan.survivingSegments(archive, timeline: 1).isEmpty)
        #expect(plan.survivingSegments(archive, timeline: 2) == Set(7...12))
        #expect(plan.survivingSegments(archive, timeline: 3) == Set(9...15))
        #expect(plan.survivingSegments(archive, timeline: 4).isEmpty)
        #expect(plan.historyTimelines == [4])
        #expect(plan.wal.first { $0.timeline == 4 }?.reason == "no retained backup reaches timeline 4")
    }

    @Test("a timeline with WAL but no .history file is left alone")
    func unknownAncestry() {
        var builder = CatalogueBuilder()
        builder.add(.full)
        builder.add(.full)
        var archive = builder.archive
        archive.segments[5] = [30, 31]
        let plan = RetentionPlanner.plan(backups: builder.backups, pins: [], archive: archive, policy: RetentionPolicy(full: 1), now: builder.now)
        #expect(plan.survivingSegments(archive, timeline: 5) == [30, 31])
        #expect(plan.notes == ["timeline 5 has archived WAL but no .history file: its WAL is kept"])
    }

    @Test("retention-window values", arguments: [
        ("12h", 12 * 3600.0), ("7d", 7 * 86400.0), ("4w", 28 * 86400.0), (" 1d ", 86400.0),
        ("90s", 90.0), ("1s", 1.0), ("30min", 1800.0), ("1min", 60.0),
    ])
    func windowParsing(text: String, seconds: Double) throws {
        let now = utc("2026-11-21 12:00:00+00")
        #expect(now.timeIntervalSince(try RetentionWindow(parsing: text).start(endingAt: now)) == seconds)
    }

    @Test("calendar months and years")
    func calendarWindows() throws {
        let now = utc("2026-08-31 12:00:00+00")
        #expect(try RetentionWindow(parsing: "6m").start(endingAt: now) == utc("2026-02-28 12:00:00+00"))
        #expect(try RetentionWindow(parsing: "1y").start(endingAt: now) == utc("2025-08-31 12:00:00+00"))
    }

    @Test("m is months, min is minutes: 6m reaches back half a year, 6min six minutes")
    func monthsAndMinutes() throws {
        let now = utc("2026-08-31 12:00:00+00")
        #expect(try RetentionWindow(parsing: "6m").unit == .months)
        #expect(try RetentionWindow(parsing: "6min").start(endingAt: now) == utc("2026-08-31 11:54:00+00"))
        #expect(try RetentionWindow(parsing: "30min").description == "30min")
        #expect(try RetentionWindow(parsing: "90s").description == "90s")
    }

    @Test("bad retention-window values are refused with one clear line",
          arguments: ["", "7", "d", "7x", "-3d", "0d", "1.5d", "7 d", "7D", "１d", "min", "0s", "5mins", "5mi", "5sec", "7dd"])
    func badWindow(text: String) {
        #expect(throws: LifeboatError(
            .invalidArgument, "invalid retention-window '\(text)': expected a whole number followed by s, min, h, d, w, m or y",
            hint: "for example retention-window = 7d (days), 4w (weeks), 6m (months), 1y (years), 12h (hours), 30min (minutes) or 90s (seconds)")) {
            try RetentionWindow(parsing: text)
        }
    }

    @Test("the error names the option the value came from")
    func namedOption() {
        #expect(throws: LifeboatError(
            .invalidArgument, "invalid repo2-retention-window '7x': expected a whole number followed by s, min, h, d, w, m or y",
            hint: "for example repo2-retention-window = 7d (days), 4w (weeks), 6m (months), 1y (years), 12h (hours), 30min (minutes) or 90s (seconds)")) {
            try RetentionWindow(parsing: "7x", option: "repo2-retention-window")
        }
    }
}
