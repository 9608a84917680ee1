import LifeboatCore
import LifeboatStorage

/// After a resumed backup completes: removes what its killed attempts stored that the finished backup
/// does not use — objects of files that were dropped, or found unchanged against the reference, by the
/// time the backup resumed. Object paths are fixed per file, so everything else was overwritten.
///
/// Runs only once the manifest is durable; it removes nothing the manifest names, so a kill midway
/// leaves a complete backup with a few stray objects, never a damaged one.
enum ResumedBackupSweep {
    /// Removes the strays; returns how many objects went.
    static func run(_ manifest: BackupManifest, layout: RepositoryLayout, storage: any RepositoryStorage,
                    compressionExtension: String) async throws -> Int {
        var wanted = Set<String>()
        for file in manifest.files where file.reference == nil {
            wanted.insert(layout.dataObject(manifest.label, path: file.path, extension: compressionExtension))
            if file.pageMapSha256 != nil { wanted.insert(layout.pageMapObject(manifest.label, path: file.path)) }
        }
        var removed = 0
        for root in [layout.dataObject(manifest.label, path: "", extension: ""), layout.pageMapObject(manifest.label, path: "")] {
            try await visitFiles(under: String(root.dropLast()), storage: storage) { path in
                guard !wanted.contains(path) else { return }
                try await storage.remove(path)
                removed += 1
            }
        }
        return removed
    }

    private static func visitFiles(
        under directory: String, storage: any RepositoryStorage, _ body: (String) async throws -> Void
    ) async throws {
        for entry in try await storage.list(directory) {
            let path = directory + "/" + entry.name
            switch entry.kind {
            case .directory: try await visitFiles(under: path, storage: storage, body)
            case .file: try await body(path)
            }
        }
    }
}
