import Foundation
import LifeboatCore
import LifeboatStorage

/// An archived WAL object as found in the repository.
struct ArchivedObject: Sendable {
    let path: String
    let name: ArchiveObjectName
    let storedSize: UInt64
    let archivedAt: Date
}

/// One stanza of one repository: the storage driver plus the rules about what is where.
struct Repository: Sendable {
    let storage: any RepositoryStorage
    let layout: RepositoryLayout

    var stanza: String { layout.stanza }
    var displayName: String { storage.displayName }

    init(storage: any RepositoryStorage, stanza: String) {
        self.storage = storage
        self.layout = RepositoryLayout(stanza: stanza)
    }

    // MARK: stanza

    func loadStanzaIfPresent() async throws -> StanzaRecord? {
        guard try await storage.info(layout.stanzaFile) != nil else { return nil }
        return try StanzaRecord.decode(try await storage.readAll(layout.stanzaFile), path: layout.stanzaFile)
    }

    func loadStanza() async throws -> StanzaRecord {
        guard let record = try await loadStanzaIfPresent() else {
            throw LifeboatError(
                .stanzaNotFound, "stanza '\(stanza)' does not exist in repository '\(displayName)'",
                hint: "check --stanza, or create it with `lifeboat init --stanza \(stanza)`")
        }
        return record
    }

    func saveStanza(_ record: StanzaRecord) async throws {
        try await storage.write(layout.stanzaFile, contents: try record.encoded(), options: WriteOptions(durable: true))
    }

    // MARK: backups

    /// Complete backups only (those with a manifest), oldest first.
    func backups() async throws -> [BackupManifest] {
        var manifests: [BackupManifest] = []
        for entry in try await storage.list(layout.backupRoot) where entry.kind == .directory {
            do {
                manifests.append(try await manifest(entry.name))
            } catch {
                // No manifest: an interrupted backup, never listed.
                guard (error as? LifeboatError)?.code == .backupNotFound else { throw error }
            }
        }
        return manifests.sorted { ($0.stopLSN, $0.stopTime) < ($1.stopLSN, $1.stopTime) }
    }

    func manifest(_ label: String) async throws -> BackupManifest {
        let path = layout.manifest(label)
        let bytes: [UInt8]
        do {
            bytes = try await storage.readAll(path)
        } catch {
            guard error.code == .notFound else { throw error }
            throw LifeboatError(
                .backupNotFound, "backup '\(label)' not found in stanza '\(stanza)'",
                hint: "list the backups with `lifeboat info --stanza \(stanza)`")
        }
        return try BackupManifest.decode(bytes)
    }

    /// Backup directories without a manifest: interrupted backups that no command may trust.
    func abandonedBackupLabels() async throws -> [String] {
        var labels: [String] = []
        for entry in try await storage.list(layout.backupRoot) where entry.kind == .directory {
            if try await storage.info(layout.manifest(entry.name)) == nil { labels.append(entry.name) }
        }
        return labels
    }

    // MARK: archive

    /// Every archived object of a WAL name (normally one).
    func archived(_ wal: WALFileName) async throws -> [ArchivedObject] {
        let directory = layout.archiveDirectory(for: wal)
        return try await storage.list(directory).compactMap { entry in
            guard entry.kind == .file, let name = ArchiveObjectName(storedName: entry.name), name.wal == wal else { return nil }
            return ArchivedObject(path: directory + "/" + entry.name, name: name, storedSize: entry.size, archivedAt: entry.modified)
        }
    }

    /// Every archived object of the stanza.
    func archiveContents() async throws -> [ArchivedObject] {
        var objects: [ArchivedObject] = []
        for directory in try await storage.list(layout.archiveRoot) where directory.kind == .directory {
            let path = layout.archiveRoot + "/" + directory.name
            for entry in try await storage.list(path) where entry.kind == .file {
                guard let name = ArchiveObjectName(storedName: entry.name) else { continue }
                objects.append(ArchivedObject(path: path + "/" + entry.name, name: name, storedSize: entry.size, archivedAt: entry.modified))
            }
        }
        return objects
    }

    /// Archived whole segments with their archive times.
    func archivedSegments(segmentSize: WALSegmentSize) async throws -> [WALSegment: Date] {
        var result: [WALSegment: Date] = [:]
        for object in try await archiveContents() where object.name.wal.kind == .segment {
            guard let segment = WALSegment(fileName: object.name.wal.name, segmentSize: segmentSize) else { continue }
            result[segment] = max(result[segment] ?? .distantPast, object.archivedAt)
        }
        return result
    }
}
