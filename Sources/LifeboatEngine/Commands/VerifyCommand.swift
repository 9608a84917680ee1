import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

public struct VerifyOptions: Sendable {
    /// Check only this backup (its files, the backups it references, the WAL it needs).
    public var set: String?

    public init(set: String? = nil) {
        self.set = set
    }
}

/// One thing `verify` found wrong (or, for warnings, worth knowing), naming the file.
public struct VerifyIssue: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case missing            // a stored object the manifest lists is absent
        case size               // stored object has another size than recorded (truncated, extended)
        case checksum           // stored object's SHA-256 differs from the recorded one
        case corrupt            // stored object does not decompress
        case unreadable         // the repository failed to read it
        case reference          // an incremental reference does not resolve
        case manifest           // a manifest does not parse or names what it cannot
        case walMissing = "wal-missing"          // a segment a backup needs to be consistent is not archived
        case walGap = "wal-gap"                  // segments missing between archived ones
        case historyMissing = "history-missing"  // WAL on a timeline whose .history is not archived
        case abandoned          // an incomplete backup directory (warning only)
        case audit              // the audit trail's hash chain is broken (a record removed, edited or reordered)
    }

    public var kind: Kind
    /// The backup concerned, when there is one.
    public var backup: String?
    /// What is wrong, named as the operator knows it: a data-directory path, a WAL file name.
    public var file: String
    /// The object in the repository, when there is one.
    public var object: String?
    /// One line, naming the file.
    public var message: String
}

public struct VerifyReport: Codable, Sendable {
    public var stanza: String
    public var repository: String
    /// Labels of the backups checked, oldest first.
    public var backups: [String]
    /// Stored backup objects hashed.
    public var files: Int
    /// Archived WAL objects hashed.
    public var walFiles: Int
    /// Stored bytes read.
    public var bytes: UInt64
    public var problems: [VerifyIssue]
    public var warnings: [VerifyIssue]
    /// True when nothing is wrong (warnings allowed).
    public var ok: Bool
}

/// `lifeboat verify`: proves the repository can restore, without PostgreSQL and without restoring.
///
/// Every stored backup object is hashed and compared with the size and SHA-256 of its stored bytes
/// recorded in the manifest (no decompression needed, whatever the object's format); incremental
/// references are followed to the backup that stores the bytes; every archived WAL object is
/// decompressed and compared with the SHA-256 in its name (the checksum of the original segment, the
/// one archive-get checks); and the archive is checked for the WAL each backup needs and for gaps from
/// the oldest backup to the end of every timeline. Problems are collected, not thrown: one run lists
/// them all.
public enum VerifyCommand {
    public static func run(_ context: EngineContext, options: VerifyOptions) async throws -> VerifyReport {
        try await context.requireRepository()
        let repository = context.repository
        let layout = repository.layout
        let stanza = try await repository.loadStanza()
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        var problems: [VerifyIssue] = []
        var warnings: [VerifyIssue] = []

        // Every backup directory: complete (manifest), abandoned (none) or damaged (does not parse).
        var manifests: [String: BackupManifest] = [:]
        var abandoned: Set<String> = []
        for entry in try await context.storage.list(layout.backupRoot) where entry.kind == .directory {
            do {
                manifests[entry.name] = try await repository.manifest(entry.name)
            } catch {
                let failure = error as? LifeboatError
                if failure?.code == .backupNotFound {
                    abandoned.insert(entry.name)
                } else {
                    problems.append(VerifyIssue(
                        kind: .manifest, backup: entry.name, file: "manifest.json", object: layout.manifest(entry.name),
                        message: "backup \(entry.name): manifest '\(layout.manifest(entry.name))' cannot be read: \(failure?.message ?? "\(error)")"))
                }
            }
        }

        let selected: [BackupManifest]
        if let set = options.set {
            if let manifest = manifests[set] {
                selected = [manifest]
            } else if problems.contains(where: { $0.backup == set }) {
                selected = []
                problems.removeAll { $0.backup != set }
            } else {
                let why = abandoned.contains(set) ? "is incomplete (an abandoned backup, never restorable)" : "not found"
                throw LifeboatError(.backupNotFound, "backup set '\(set)' \(why) in stanza '\(repository.stanza)'",
                                    hint: "list the backups with `lifeboat info --stanza \(repository.stanza)`")
            }
        } else {
            selected = manifests.values.sorted { ($0.stopLSN, $0.stopTime, $0.label) < ($1.stopLSN, $1.stopTime, $1.label) }
            for label in abandoned.sorted() {
                warnings.append(VerifyIssue(
                    kind: .abandoned, backup: label, file: label, object: layout.backupDirectory(label),
                    message: "backup \(label) is incomplete (no manifest): an interrupted backup, never listed or restored; the next backup or expire removes it"))
            }
        }

        // Stored backup objects, each once even when several backups reference it.
        var jobs: [VerifyJob] = []
        var queued: Set<String> = []
        for manifest in selected {
            if manifest.systemIdentifier != stanza.systemIdentifier {
                problems.append(VerifyIssue(
                    kind: .manifest, backup: manifest.label, file: "manifest.json", object: layout.manifest(manifest.label),
                    message: "backup \(manifest.label): taken from cluster \(manifest.systemIdentifier), not the stanza's cluster \(stanza.systemIdentifier)"))
            }
            let resolution = BackupReferences.resolve(manifest, in: manifests, abandoned: abandoned)
            problems += resolution.problems
            for stored in resolution.stored where queued.insert(stored.object(layout)).inserted {
                jobs.append(.backupFile(stored, object: stored.object(layout)))
                if stored.file.pageMapSha256 != nil {
                    jobs.append(.pageMap(stored, object: layout.pageMapObject(stored.owner, path: stored.file.path)))
                }
            }
        }

        // Archived WAL.
        let archive = try await repository.archiveContents()
        var objectsByName: [String: [ArchivedObject]] = [:]
        var archivedSegments: Set<WALSegment> = []
        for object in archive {
            objectsByName[object.name.wal.name, default: []].append(object)
            if object.name.wal.kind == .segment, let segment = object.name.wal.segment(segmentSize: segmentSize) {
                archivedSegments.insert(segment)
            }
        }
        var walToCheck: [ArchivedObject] = []
        for manifest in selected {
            for segment in neededSegments(manifest, segmentSize: segmentSize) {
                let name = segment.fileName(segmentSize: segmentSize)
                if options.set != nil { walToCheck += objectsByName[name] ?? [] }
                if !archivedSegments.contains(segment) {
                    problems.append(VerifyIssue(
                        kind: .walMissing, backup: manifest.label, file: name, object: nil,
                        message: "backup \(manifest.label): WAL segment '\(name)' needed to make it consistent is missing from the archive"))
                }
            }
        }
        if options.set == nil {
            walToCheck = archive.filter { $0.name.wal.kind != .history }
            let histories = try await readHistories(repository, objects: archive, problems: &problems)
            // A pinned backup keeps only the WAL that makes it consistent (checked above as walMissing):
            // continuity runs from the oldest backup that is not pinned.
            let pinned = Set(try await repository.pins().map(\.label))
            let continuous = selected.filter { !pinned.contains($0.label) }
            if let oldest = (continuous.isEmpty ? selected : continuous).min(by: { $0.startLSN < $1.startLSN }) {
                let start = WALSegment(containing: oldest.startLSN, timeline: oldest.timeline, segmentSize: segmentSize)
                let reported = Set(problems.filter { $0.kind == .walMissing }.map(\.file))
                for finding in ArchiveContinuity.check(archived: archivedSegments, from: start, histories: histories, segmentSize: segmentSize) {
                    // A hole made only of segments a backup already reported missing is not said twice.
                    if case .gap(let first, let last) = finding,
                       (first.number...last.number).allSatisfy({ reported.contains(WALSegment(timeline: first.timeline, number: $0).fileName(segmentSize: segmentSize)) }) {
                        continue
                    }
                    problems.append(issue(for: finding, segmentSize: segmentSize))
                }
            }
        }
        var walSeen: Set<String> = []
        for object in walToCheck.sorted(by: { $0.path < $1.path }) where walSeen.insert(object.path).inserted {
            jobs.append(.archivedWAL(object))
        }

        let totals = (bytes: jobs.reduce(UInt64(0)) { $0 + $1.expectedStoredSize }, count: jobs.count)
        let progress = ProgressMeter(title: "verify", totalBytes: totals.bytes, totalFiles: totals.count,
                                     style: context.progress, emit: context.emitProgress)
        let storage = context.storage
        let outcomes = try await Parallel.map(jobs.sorted { $0.expectedStoredSize > $1.expectedStoredSize },
                                              workers: context.processMax, workspace: { VerifyWorkspace() }) { workspace, job in
            let outcome = try await workspace.check(job, storage: storage, progress: progress)
            progress.fileDone()
            return outcome
        }
        progress.finish()
        problems += outcomes.compactMap(\.problem).sorted { ($0.backup ?? "", $0.file) < ($1.backup ?? "", $1.file) }

        if options.set == nil {
            do {
                _ = try await AuditTrail(storage: context.storage, stanza: repository.stanza).verify()
            } catch {
                guard let broken = error as? LifeboatError, broken.code == .auditChainBroken else { throw error }
                problems.append(VerifyIssue(kind: .audit, backup: nil, file: "audit", object: nil, message: broken.message))
            }
        }

        let report = VerifyReport(
            stanza: repository.stanza, repository: repository.displayName, backups: selected.map(\.label),
            files: jobs.filter(\.isBackupFile).count, walFiles: jobs.filter(\.isArchivedWAL).count,
            bytes: outcomes.reduce(0) { $0 + $1.bytesRead }, problems: problems, warnings: warnings, ok: problems.isEmpty)
        context.logger.info("verify of stanza '\(repository.stanza)': \(report.backups.count) backups, \(report.files) stored files, \(report.walFiles) WAL files, \(ByteFormat.human(report.bytes)) read: \(problems.isEmpty ? "no problems" : "\(problems.count) problems")")
        return report
    }

    /// The segments from the one holding the backup's start LSN to the one holding its last byte.
    static func neededSegments(_ manifest: BackupManifest, segmentSize: WALSegmentSize) -> [WALSegment] {
        let first = WALSegment(containing: manifest.startLSN, timeline: manifest.timeline, segmentSize: segmentSize)
        let lastLSN = manifest.stopLSN > manifest.startLSN ? LSN(rawValue: manifest.stopLSN.rawValue - 1) : manifest.startLSN
        let last = WALSegment(containing: lastLSN, timeline: manifest.timeline, segmentSize: segmentSize)
        guard first.number <= last.number else { return [first] }
        return (first.number...last.number).map { WALSegment(timeline: manifest.timeline, number: $0) }
    }

    static func issue(for finding: ArchiveContinuity.Finding, segmentSize: WALSegmentSize) -> VerifyIssue {
        switch finding {
        case .gap(let first, let last):
            let firstName = first.fileName(segmentSize: segmentSize)
            let lastName = last.fileName(segmentSize: segmentSize)
            let what = first == last ? "WAL segment '\(firstName)' is" : "WAL segments '\(firstName)' to '\(lastName)' are"
            return VerifyIssue(
                kind: .walGap, backup: nil, file: firstName, object: nil,
                message: "archive: \(what) missing on timeline \(first.timeline), between archived segments: recovery cannot replay past it")
        case .missingHistory(let timeline):
            let name = WALSegment(timeline: timeline, number: 0).fileName(segmentSize: segmentSize).prefix(8) + ".history"
            return VerifyIssue(
                kind: .historyMissing, backup: nil, file: String(name), object: nil,
                message: "archive: timeline history file '\(name)' is missing: recovery cannot follow the switch to timeline \(timeline)")
        }
    }

    /// Reads, checks and parses every archived timeline history file (small: done inline).
    private static func readHistories(_ repository: Repository, objects: [ArchivedObject], problems: inout [VerifyIssue]) async throws -> [UInt32: TimelineHistory] {
        var histories: [UInt32: TimelineHistory] = [:]
        for object in objects where object.name.wal.kind == .history {
            let name = object.name.wal.name
            func problem(_ kind: VerifyIssue.Kind, _ why: String) {
                problems.append(VerifyIssue(kind: kind, backup: nil, file: name, object: object.path,
                                            message: "archive: timeline history '\(name)' \(why) ('\(object.path)')"))
            }
            guard let type = CompressionType(fileExtension: object.name.fileExtension) else {
                problem(.corrupt, "has an unknown compression suffix")
                continue
            }
            let stored: [UInt8]
            do {
                stored = try await repository.storage.readAll(object.path)
            } catch {
                problem(error.code == .notFound ? .missing : .unreadable, "cannot be read: \(error.message)")
                continue
            }
            var content: [UInt8] = []
            // A heap copy rather than withUnsafeBytes: typed throws inside that closure crash the compiler.
            let input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(stored.count, 1), alignment: 16)
            defer { input.deallocate() }
            input.copyBytes(from: stored)
            do {
                var decompressor = try Codecs.decompressor(type)
                try decompressor.decompress(UnsafeRawBufferPointer(rebasing: input[0..<stored.count]), into: &content)
                try decompressor.finish(into: &content)
            } catch {
                problem(.corrupt, "does not decompress: \(error.message)")
                continue
            }
            guard try await EngineContext.archiveNameDigest(forSHA256: SHA256Hasher.hex(of: content), in: repository.storage) == object.name.sha256 else {
                problem(.checksum, "does not match its checksum")
                continue
            }
            do {
                histories[object.name.wal.timeline] = try TimelineHistory(timeline: object.name.wal.timeline, parsing: String(decoding: content, as: UTF8.self))
            } catch {
                problem(.corrupt, "does not parse: \(error.message)")
            }
        }
        return histories
    }
}
