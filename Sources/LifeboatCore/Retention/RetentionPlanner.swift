import Foundation

/// Decides what expire removes. Pure: the same catalogue, pins, archive, policy and clock always give
/// the same plan, and the plan never removes a backup the policy keeps, never leaves a diff/incr whose
/// chain is broken, and never removes WAL a retained backup needs (see `RetentionPolicy` for the rules).
public enum RetentionPlanner {
    public static func plan(
        backups: [RetentionBackup], pins: [RetentionPin], archive: RetentionArchive, policy: RetentionPolicy, now: Date
    ) -> RetentionPlan {
        plan(Catalogue(backups), pins: pins, archive: archive, policy: policy, now: now, named: nil)
    }

    /// `expire --set LABEL`: that backup and everything that depends on it go, whatever the horizons and
    /// the window say; the policy's own removals and its WAL plan apply as usual (with no policy, no WAL
    /// is removed). Refused, changing nothing, when the set holds an active pin or would leave fewer full
    /// backups than retention-min-full: those are promises an explicit request does not break silently.
    public static func plan(
        removingSet label: String, backups: [RetentionBackup], pins: [RetentionPin], archive: RetentionArchive,
        policy: RetentionPolicy, now: Date
    ) throws(LifeboatError) -> RetentionPlan {
        let catalogue = Catalogue(backups)
        guard catalogue.byLabel[label] != nil else {
            throw LifeboatError(.backupNotFound, "backup set '\(label)' not found", hint: "`lifeboat info` lists the backups")
        }
        let set = catalogue.selfAndDescendants(label)
        for pin in pins.sorted(by: { $0.label < $1.label }) where set.contains(pin.label) && pin.isActive(at: now) {
            throw LifeboatError(
                .invalidArgument, "backup \(pin.label) is pinned\(pin.label == label ? "" : " and depends on \(label)"): expire --set removes nothing",
                hint: "`lifeboat unpin \(pin.label)` first if it really is to go")
        }
        if let minimum = policy.minFull {
            let left = catalogue.sorted.filter { $0.type == .full && !set.contains($0.label) }.count
            if left < minimum {
                throw LifeboatError(
                    .invalidArgument, "expire --set \(label) would leave \(left) full backup\(left == 1 ? "" : "s"), below retention-min-full \(minimum)",
                    hint: "lower retention-min-full for this run if the backup really is to go")
            }
        }
        return plan(catalogue, pins: pins, archive: archive, policy: policy, now: now, named: (label, set))
    }

    private static func plan(
        _ catalogue: Catalogue, pins: [RetentionPin], archive: RetentionArchive, policy: RetentionPolicy, now: Date,
        named: (label: String, set: Set<String>)?
    ) -> RetentionPlan {
        var notes = catalogue.brokenChainNotes()
        if policy.removesNothing && named == nil {
            notes.append("no retention policy is configured (retention-full, retention-diff or retention-window): nothing is removed")
            return RetentionPlan(kept: catalogue.sorted.map(\.label), notes: notes)
        }

        // Horizons: a backup goes if it is outside every configured horizon.
        var horizonKeeps: [(rule: String, keep: Set<String>, reason: String)] = []
        if let count = policy.full {
            let fulls = catalogue.sorted.filter { $0.type == .full }
            let keptFulls = Set(fulls.suffix(count).map(\.label))
            var keep = Set<String>()
            for backup in catalogue.sorted {
                // Backups whose chain does not end at a full (their full is missing) are not this rule's business.
                guard let root = catalogue.root(of: backup.label) else { keep.insert(backup.label); continue }
                if keptFulls.contains(root) { keep.insert(backup.label) }
            }
            horizonKeeps.append(("retention-full", keep, "older than the \(count) newest full backup\(count == 1 ? "" : "s")"))
        }
        var windowAnchor: String?
        if let window = policy.window {
            let start = window.start(endingAt: now)
            let anchorIndex = catalogue.sorted.lastIndex { $0.stopTime <= start }
            var keep = Set<String>()
            if let anchorIndex {
                windowAnchor = catalogue.sorted[anchorIndex].label
                for backup in catalogue.sorted[anchorIndex...] { keep.formUnion(catalogue.selfAndAncestors(backup.label)) }
            } else {
                keep = Set(catalogue.sorted.map(\.label))
            }
            let anchorText = windowAnchor.map { _ in ", the newest backup from before the window" } ?? ""
            horizonKeeps.append((
                "retention-window", keep,
                "ended before \(windowAnchor ?? "the window")\(anchorText) (\(window) window starts \(TargetTime.display(start)))"))
        }
        var removedBy: [String: (rule: String, reason: String)] = [:]
        if !horizonKeeps.isEmpty {
            for backup in catalogue.sorted where !horizonKeeps.contains(where: { $0.keep.contains(backup.label) }) {
                let rules = horizonKeeps.map(\.rule).joined(separator: ", ")
                let reason = horizonKeeps.map(\.reason).joined(separator: "; ")
                removedBy[backup.label] = (rules, reason)
            }
        }
        if let count = policy.diff {
            let diffs = catalogue.sorted.filter { $0.type == .diff }
            for expired in diffs.dropLast(count) {
                for label in catalogue.selfAndDescendants(expired.label) where removedBy[label] == nil {
                    let reason = label == expired.label
                        ? "older than the \(count) newest differential backup\(count == 1 ? "" : "s")"
                        : "depends on \(expired.label), which is older than the \(count) newest differential backup\(count == 1 ? "" : "s")"
                    removedBy[label] = ("retention-diff", reason)
                }
            }
        }
        // Protections nobody overrides: the window's anchor, min-full, active pins, and what they depend on.
        var floor = Set<String>()
        if let windowAnchor { floor.formUnion(catalogue.selfAndAncestors(windowAnchor)) }
        if let minimum = policy.minFull, minimum > 0 {
            for full in catalogue.sorted.filter({ $0.type == .full }).suffix(minimum) {
                if removedBy[full.label] != nil {
                    notes.append("retention-min-full \(minimum) keeps \(full.label)")
                }
                floor.insert(full.label)
            }
        }
        var pinned = Set<String>()
        for pin in pins.sorted(by: { $0.label < $1.label }) {
            guard catalogue.byLabel[pin.label] != nil else { continue }
            if pin.isActive(at: now) {
                pinned.formUnion(catalogue.selfAndAncestors(pin.label))
            } else if let until = pin.until {
                notes.append("the pin on \(pin.label) expired at \(TargetTime.display(until)): it no longer protects the backup")
            }
        }
        let pinOnly = Set(removedBy.keys).subtracting(floor).intersection(pinned)
        for label in catalogue.sorted.map(\.label) where pinOnly.contains(label) {
            notes.append("\(label) is pinned: kept with the WAL from its start to its stop")
        }
        for label in floor.union(pinned) { removedBy[label] = nil }
        // The named set overrides the horizons and the window's anchor (pins and min-full were checked).
        if let named {
            for label in named.set {
                removedBy[label] = ("--set", label == named.label ? "named by expire --set" : "depends on \(named.label), which is removed")
            }
        }
        // Whatever a kept backup reads must stay: never break a chain, whatever the rules said.
        for backup in catalogue.sorted where removedBy[backup.label] == nil {
            for label in catalogue.selfAndAncestors(backup.label) { removedBy[label] = nil }
        }
        // A dependent removed because what it depends on goes says so.
        for backup in catalogue.sorted where removedBy[backup.label] != nil && backup.type != .full {
            if let parent = catalogue.parent(of: backup.label), let parentRule = removedBy[parent.label],
               !(removedBy[backup.label]!.reason.hasPrefix("depends on")) {
                removedBy[backup.label] = (parentRule.rule, "depends on \(parent.label), which is removed")
            }
        }


        let removals = catalogue.sorted.compactMap { backup -> RetentionPlan.BackupRemoval? in
            guard let why = removedBy[backup.label] else { return nil }
            return RetentionPlan.BackupRemoval(label: backup.label, type: backup.type, rule: why.rule, reason: why.reason)
        }
        let retained = catalogue.sorted.filter { removedBy[$0.label] == nil }
        // With no policy, WAL is not this run's business: only the named set goes.
        let wal = policy.removesNothing ? (removals: [], histories: [])
            : walPlan(retained: retained, pinOnly: pinOnly, archive: archive, notes: &notes)
        return RetentionPlan(
            backups: removals, kept: retained.map(\.label), wal: wal.removals, historyTimelines: wal.histories, notes: notes)
    }

    // MARK: WAL

    private static func walPlan(
        retained: [RetentionBackup], pinOnly: Set<String>, archive: RetentionArchive, notes: inout [String]
    ) -> (removals: [RetentionPlan.WALRemoval], histories: [UInt32]) {
        guard !retained.isEmpty else {
            if !archive.segments.values.allSatisfy(\.isEmpty) {
                notes.append("no backup is retained: archived WAL is kept")
            }
            return ([], [])
        }
        // Per timeline: segments needed from a number on (restores to any later moment), plus
        // closed ranges (pinned backups, which only need to reach consistency).
        var neededFrom: [UInt32: UInt64] = [:]
        var neededRanges: [UInt32: [ClosedRange<UInt64>]] = [:]
        var keptHistories = Set<UInt32>()
        let timelines = Set(archive.segments.keys).union(archive.histories.keys)
        for backup in retained {
            keptHistories.insert(backup.timeline)
            keptHistories.formUnion(archive.histories[backup.timeline]?.entries.map(\.parentTimeline) ?? [])
            if pinOnly.contains(backup.label) {
                neededRanges[backup.timeline, default: []].append(backup.startSegment...max(backup.startSegment, backup.stopSegment))
                continue
            }
            for timeline in timelines where reaches(backup, timeline: timeline, histories: archive.histories) {
                neededFrom[timeline] = min(neededFrom[timeline] ?? .max, backup.startSegment)
                keptHistories.insert(timeline)
                keptHistories.formUnion(archive.histories[timeline]?.entries.map(\.parentTimeline) ?? [])
            }
        }
        var removals: [RetentionPlan.WALRemoval] = []
        for timeline in archive.segments.keys.sorted() {
            if timeline > 1 && archive.histories[timeline] == nil && !retained.contains(where: { $0.timeline == timeline }) {
                notes.append("timeline \(timeline) has archived WAL but no .history file: its WAL is kept")
                continue
            }
            let reason: String
            if let from = neededFrom[timeline] {
                reason = "before segment \(from), the oldest WAL a retained backup needs on timeline \(timeline)"
            } else {
                reason = "no retained backup reaches timeline \(timeline)"
            }
            var run: RetentionPlan.WALRemoval?
            for number in archive.segments[timeline, default: []].sorted() {
                let needed = (neededFrom[timeline].map { number >= $0 } ?? false)
                    || neededRanges[timeline, default: []].contains { $0.contains(number) }
                if !needed, var current = run, current.lastSegment + 1 == number {
                    current.lastSegment = number
                    current.count += 1
                    run = current
                    continue
                }
                if let current = run { removals.append(current) }
                run = needed ? nil : RetentionPlan.WALRemoval(timeline: timeline, firstSegment: number, lastSegment: number, count: 1, reason: reason)
            }
            if let current = run { removals.append(current) }
        }
        let histories = archive.histories.keys.filter { !keptHistories.contains($0) }.sorted()
        return (removals, histories)
    }

    /// Whether restoring `backup` can follow WAL onto `timeline`: its own timeline, or one whose history
    /// branches from the backup's timeline at or after the backup's start.
    static func reaches(_ backup: RetentionBackup, timeline: UInt32, histories: [UInt32: TimelineHistory]) -> Bool {
        if timeline == backup.timeline { return true }
        guard let history = histories[timeline] else { return false }
        return history.entries.contains { $0.parentTimeline == backup.timeline && $0.switchPoint >= backup.startLSN }
    }
}

/// The backups with their reference chains resolved.
struct Catalogue {
    let sorted: [RetentionBackup]
    let byLabel: [String: RetentionBackup]
    let children: [String: [String]]

    init(_ backups: [RetentionBackup]) {
        sorted = backups.sorted(by: RetentionBackup.endsBefore)
        var byLabel: [String: RetentionBackup] = [:]
        for backup in sorted { byLabel[backup.label] = backup }
        self.byLabel = byLabel
        var children: [String: [String]] = [:]
        for backup in sorted {
            for reference in Self.dependencies(of: backup) { children[reference, default: []].append(backup.label) }
        }
        self.children = children
    }

    /// What a backup cannot be restored without: its reference (diff/incr) and any backup holding bytes it uses.
    static func dependencies(of backup: RetentionBackup) -> [String] {
        var result = backup.fileReferences
        if backup.type != .full, let reference = backup.reference { result.insert(reference) }
        result.remove(backup.label)
        return result.sorted()
    }

    /// A diff/incr whose reference (or a backup holding bytes it reads) is gone cannot be restored. Expire
    /// keeps it rather than guess: a reference that only looks missing (a listing cut short, a manifest
    /// that failed to read) must never cost a backup. The operator is told, and `verify` names the gap.
    func brokenChainNotes() -> [String] {
        sorted.compactMap { backup in
            let missing = Self.dependencies(of: backup).filter { byLabel[$0] == nil }
            guard !missing.isEmpty else { return nil }
            let names = missing.joined(separator: ", ")
            return "\(backup.label) cannot be restored: it depends on \(names), which \(missing.count == 1 ? "is" : "are") not in the repository; expire keeps it (`lifeboat verify` shows the gap; `lifeboat expire --set \(backup.label)` removes it)"
        }
    }

    func parent(of label: String) -> RetentionBackup? {
        guard let backup = byLabel[label], backup.type != .full, let reference = backup.reference else { return nil }
        return byLabel[reference]
    }

    /// The full backup at the end of the chain; nil when the chain is broken (or loops).
    func root(of label: String) -> String? {
        var current = byLabel[label]
        var steps = 0
        while let backup = current, steps <= sorted.count {
            if backup.type == .full { return backup.label }
            current = parent(of: backup.label)
            steps += 1
        }
        return nil
    }

    func selfAndAncestors(_ label: String) -> Set<String> {
        var result: Set<String> = [label]
        var pending = [label]
        while let next = pending.popLast() {
            guard let backup = byLabel[next] else { continue }
            for dependency in Self.dependencies(of: backup) where byLabel[dependency] != nil && result.insert(dependency).inserted {
                pending.append(dependency)
            }
        }
        return result
    }

    func selfAndDescendants(_ label: String) -> Set<String> {
        var result: Set<String> = [label]
        var pending = [label]
        while let next = pending.popLast() {
            for child in children[next] ?? [] where result.insert(child).inserted { pending.append(child) }
        }
        return result
    }
}
