import LifeboatCodecs
import LifeboatCore

/// A stored object a backup's restore would read: the file's entry in the backup that holds its bytes.
struct StoredFile: Sendable {
    /// The backup whose manifest is being verified.
    let backup: String
    /// The backup that stores the bytes (itself, or the end of its reference chain).
    let owner: String
    let compressionExtension: String
    let file: ManifestFile

    func object(_ layout: RepositoryLayout) -> String {
        layout.dataObject(owner, path: file.path, extension: compressionExtension)
    }
}

/// Follows each file's `reference` to the backup that stores it, reporting references that do not resolve.
enum BackupReferences {
    struct Resolution {
        var stored: [StoredFile] = []
        var problems: [VerifyIssue] = []
    }

    static func resolve(_ manifest: BackupManifest, in manifests: [String: BackupManifest], abandoned: Set<String>) -> Resolution {
        var result = Resolution()
        let label = manifest.label
        func problem(_ file: String, _ message: String) {
            result.problems.append(VerifyIssue(kind: .reference, backup: label, file: file, object: nil, message: "backup \(label): \(message)"))
        }
        func why(_ missing: String) -> String {
            abandoned.contains(missing) ? "which is incomplete (no manifest)" : "which does not exist"
        }
        if let prior = manifest.reference, manifests[prior] == nil {
            problem("manifest.json", "it is based on backup \(prior), \(why(prior))")
        }
        var index: [String: [String: ManifestFile]] = [:]
        func lookup(_ backup: BackupManifest, _ path: String) -> ManifestFile? {
            if index[backup.label] == nil {
                index[backup.label] = Dictionary(backup.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            }
            return index[backup.label]?[path]
        }
        for file in manifest.files {
            var owner = manifest
            var entry = file
            var visited: Set<String> = [label]
            var resolved = true
            while let next = entry.reference {
                guard visited.insert(next).inserted else {
                    problem(file.path, "file '\(file.path)' has a reference cycle through backup \(next)")
                    resolved = false
                    break
                }
                guard let referenced = manifests[next] else {
                    problem(file.path, "file '\(file.path)' references backup \(next), \(why(next))")
                    resolved = false
                    break
                }
                guard let found = lookup(referenced, file.path) else {
                    problem(file.path, "file '\(file.path)' references backup \(next), which does not have it")
                    resolved = false
                    break
                }
                owner = referenced
                entry = found
            }
            guard resolved else { continue }
            guard let type = CompressionType(rawValue: owner.compressType)?.fileExtension else {
                problem(file.path, "file '\(file.path)' is stored in backup \(owner.label) with unknown compression '\(owner.compressType)'")
                continue
            }
            result.stored.append(StoredFile(backup: label, owner: owner.label, compressionExtension: type, file: entry))
            // A file stored page by page is rebuilt from earlier layers: each must be stored where it says.
            for layer in entry.blockIncremental?.base ?? [] {
                guard let base = manifests[layer.label] else {
                    problem(file.path, "file '\(file.path)' is rebuilt from backup \(layer.label), \(why(layer.label))")
                    continue
                }
                guard let stored = lookup(base, file.path), stored.reference == nil,
                      let ext = CompressionType(rawValue: base.compressType)?.fileExtension else {
                    problem(file.path, "file '\(file.path)' is rebuilt from backup \(layer.label), which does not store it")
                    continue
                }
                result.stored.append(StoredFile(backup: label, owner: base.label, compressionExtension: ext, file: stored))
            }
        }
        return result
    }
}
