import LifeboatCore
import LifeboatStorage

/// Where each thing lives inside a repository. Paths are relative to the repository root.
///
///     <stanza>/stanza.json                              the cluster this stanza belongs to
///     <stanza>/archive/<first 16 hex of segment>/<wal name>-<sha256>.<ext>
///     <stanza>/archive/history/<tli>.history-<sha256>.<ext>
///     <stanza>/backup/<label>/data/<path>.<ext>         one object per data-directory file
///     <stanza>/backup/<label>/pagemap/<path>            page hashes of a relation file (see PageMap)
///     <stanza>/backup/<label>/resume.json, journal/<n>.json  how to resume it if it is interrupted
///     <stanza>/backup/<label>/manifest.json             written last: its presence marks the backup complete
///
/// The SHA-256 in a WAL object's name binds name and content: a re-push of identical content is
/// recognised without reading the stored copy, and archive-get knows what to verify against.
struct RepositoryLayout: Sendable {
    let stanza: String

    var stanzaFile: String { "\(stanza)/stanza.json" }
    var archiveRoot: String { "\(stanza)/archive" }
    var backupRoot: String { "\(stanza)/backup" }
    var lockFile: String { "\(stanza)/backup.lock" }
    /// Encrypted stanzas only: the wrapped master key, the one object stored in clear.
    var cipherKeyFile: String { EncryptedStorage.keyFilePath(stanza: stanza) }

    func archiveDirectory(for wal: WALFileName) -> String {
        guard let segment = wal.segmentName else { return "\(archiveRoot)/history" }
        return "\(archiveRoot)/\(segment.prefix(16))"
    }

    func backupDirectory(_ label: String) -> String { "\(backupRoot)/\(label)" }
    func manifest(_ label: String) -> String { "\(backupRoot)/\(label)/manifest.json" }
    func dataObject(_ label: String, path: String, extension ext: String) -> String {
        let base = "\(backupRoot)/\(label)/data/\(path)"
        return ext.isEmpty ? base : "\(base).\(ext)"
    }
    /// The page map of a relation file (8 bytes per page, uncompressed), beside the data tree so no
    /// data-directory file name can collide with it.
    /// What an unfinished backup is (type, reference, compression, first start): decides whether the
    /// next backup may resume it.
    func resumeHeader(_ label: String) -> String { "\(backupRoot)/\(label)/resume.json" }
    /// Batches of manifest entries of files already stored, written while the backup runs.
    var journalName: String { "journal" }
    func journalDirectory(_ label: String) -> String { "\(backupRoot)/\(label)/journal" }
    func pageMapObject(_ label: String, path: String) -> String { "\(backupRoot)/\(label)/pagemap/\(path)" }
}

/// `<wal name>-<sha256 hex>[.<ext>]`: the stored name of an archived WAL file. In an encrypted stanza the
/// 64 hex digits are HMAC-SHA256(name key, sha256 hex) instead (`EngineContext.archiveNameDigest`), so names
/// reveal no content hash; `sha256` then holds that HMAC.
struct ArchiveObjectName: Sendable, Equatable {
    let wal: WALFileName
    let sha256: String
    let fileExtension: String

    init(wal: WALFileName, sha256: String, fileExtension: String) {
        self.wal = wal
        self.sha256 = sha256
        self.fileExtension = fileExtension
    }

    var storedName: String {
        let base = "\(wal.name)-\(sha256)"
        return fileExtension.isEmpty ? base : "\(base).\(fileExtension)"
    }

    /// Parses a stored name; nil for anything that is not one (temp files, strays).
    init?(storedName: String) {
        var base = Substring(storedName)
        var ext = ""
        for candidate in ["zst", "lz4", "gz"] where base.hasSuffix("." + candidate) {
            ext = candidate
            base = base.dropLast(candidate.count + 1)
        }
        guard base.count > 65 else { return nil }
        let hash = base.suffix(64)
        let separator = base.dropLast(64).last
        guard separator == "-", hash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let wal = WALFileName(String(base.dropLast(65))) else { return nil }
        self.init(wal: wal, sha256: String(hash), fileExtension: ext)
    }
}
