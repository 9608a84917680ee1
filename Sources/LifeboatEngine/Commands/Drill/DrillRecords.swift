#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage

extension RepositoryLayout {
    /// `<stanza>/drill/<yyyymmdd-hhmmss-mmm>.json`: one record per drill, names sort by time.
    var drillRoot: String { "\(stanza)/drill" }
}

/// Drill results kept in the repository, next to the backups they vouch for.
struct DrillRecords: Sendable {
    let repository: Repository

    /// Writes the record durably under a new name; returns its repository path.
    func save(_ report: DrillReport) async throws -> String {
        let bytes = try report.recordJSON()
        let millis = Int(report.startedAt.timeIntervalSince1970 * 1000) % 1000
        let base = WallClock.backupLabel(report.startedAt, suffix: "") + "-" + String(format: "%03d", millis)
        for attempt in 0..<100 {
            let path = repository.layout.drillRoot + "/" + base + (attempt == 0 ? "" : "-\(attempt)") + ".json"
            do {
                try await repository.storage.write(path, contents: bytes, options: WriteOptions(durable: true, noReplace: true))
                matchStanzaOwner(path)
                return path
            } catch {
                guard error.code == .alreadyExists else { throw error }
            }
        }
        throw LifeboatError(.alreadyExists, "unable to find a free name for the drill record under '\(repository.layout.drillRoot)'")
    }

    /// A drill run as root (cron, CI) must not leave root-owned files in a repository the cluster's
    /// user writes to: in a local repository the drill directory and record take the stanza
    /// directory's owner.
    private func matchStanzaOwner(_ path: String) {
        guard OSUser.isRoot, let posix = repository.storage as? PosixStorage else { return }
        var owner = stat()
        guard stat(posix.root + "/" + repository.stanza, &owner) == 0 else { return }
        for item in [repository.layout.drillRoot, path] {
            _ = lchown(posix.root + "/" + item, owner.st_uid, owner.st_gid)
        }
    }

    /// Every record, oldest first (unreadable records are skipped).
    func all() async throws -> [DrillReport] {
        var reports: [DrillReport] = []
        for entry in try await repository.storage.list(repository.layout.drillRoot) where entry.kind == .file && entry.name.hasSuffix(".json") {
            guard let bytes = try? await repository.storage.readAll(repository.layout.drillRoot + "/" + entry.name),
                  let report = try? DrillReport.decodeRecord(bytes) else { continue }
            reports.append(report)
        }
        return reports.sorted { $0.startedAt < $1.startedAt }
    }

    func newest() async throws -> DrillReport? { try await all().last }
}
