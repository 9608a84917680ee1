import Foundation
import LifeboatCore

/// Which earlier backup a diff/incr stores its changes against.
struct BackupReference: Sendable {
    let manifest: BackupManifest
    /// Entries of the reference by path.
    let files: [String: ManifestFile]
    /// File-level change detection may trust size + mtime only when the reference was taken on the
    /// same timeline: after a point-in-time restore the files carry the mtimes of an older backup, so
    /// a file could differ from the reference's copy while size and mtime agree.
    let mtimeTrusted: Bool
    /// Entries of every compatible backup, by label then path: where the page maps of earlier layers are.
    let entries: [String: [String: ManifestFile]]

    /// The reference's start, whole seconds: a file whose mtime is at or after it may have changed while
    /// the reference copied it, so its mtime proves nothing.
    var startSecond: Int64 { Int64(manifest.startTime.timeIntervalSince1970.rounded(.down)) }

    /// diff: the newest full; incr: the newest backup of any type. Only backups of the same cluster
    /// (system identifier) and PostgreSQL version qualify. Nil: there is nothing to build on.
    ///
    /// A reference on another timeline is still correct — pages are compared by content (`PageMap`),
    /// never by LSN — but its mtimes are not trusted (see `mtimeTrusted`).
    static func choose(_ type: BackupType, from backups: [BackupManifest], systemIdentifier: String, pgVersion: Int,
                       timeline: UInt32) -> BackupReference? {
        // Newest by time, not LSN: after a point-in-time restore the new timeline's LSNs restart below the old ones.
        let compatible = backups.filter { $0.systemIdentifier == systemIdentifier && $0.pgVersion / 100 == pgVersion / 100 }
            .sorted { ($0.stopTime, $0.stopLSN) < ($1.stopTime, $1.stopLSN) }
        let candidate: BackupManifest?
        switch type {
        case .full: candidate = nil
        case .diff: candidate = compatible.last { $0.type == .full }
        case .incr: candidate = compatible.last
        }
        guard let manifest = candidate else { return nil }
        var entries: [String: [String: ManifestFile]] = [:]
        for backup in compatible {
            var files: [String: ManifestFile] = [:]
            for file in backup.files where file.reference == nil { files[file.path] = file }
            entries[backup.label] = files
        }
        var files: [String: ManifestFile] = [:]
        for file in manifest.files { files[file.path] = file }
        return BackupReference(manifest: manifest, files: files, mtimeTrusted: manifest.timeline == timeline, entries: entries)
    }

    /// The full backup a new diff/incr belongs to: its label prefixes the new label, as in pgBackRest
    /// ("20261121-010000F_20261122-010000I").
    var fullLabel: String {
        manifest.type == .full ? manifest.label : String(manifest.label.split(separator: "_").first ?? Substring(manifest.label))
    }

    /// The entry `path` would get if the file is unchanged: the same bytes, found where the reference found them.
    func unchangedEntry(_ prior: ManifestFile, mtime: Int64, mode: UInt32) -> ManifestFile {
        var entry = prior
        entry.reference = prior.storageLabel(in: manifest.label)
        entry.mtime = mtime
        entry.mode = mode
        return entry
    }
}
