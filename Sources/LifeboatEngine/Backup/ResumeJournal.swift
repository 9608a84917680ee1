import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage
import Logging

/// What an unfinished backup was, written before its first file: the next backup resumes it only
/// when it would produce the same kind of objects (same type, reference, compression and cluster).
struct ResumeHeader: Codable, Sendable, Equatable {
    var type: BackupType
    var reference: String?
    var compressType: String
    var compressLevel: Int
    var systemIdentifier: String
    /// Start of the first attempt, seconds since the epoch. A journaled file is reused only when its
    /// mtime is older than this and unchanged: then nothing wrote to it since before it was copied.
    var firstStart: Int64

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    static func decode(_ bytes: [UInt8]) -> ResumeHeader? {
        try? JSONDecoder().decode(ResumeHeader.self, from: Data(bytes))
    }
}

/// Files already stored by an interrupted attempt of this backup, by path.
struct ResumeState: Sendable {
    let header: ResumeHeader
    let stored: [String: ManifestFile]

    /// Reads the journal batches of `label`; a batch that does not parse (cut short) is ignored.
    static func load(_ repository: Repository, label: String, header: ResumeHeader) async throws -> ResumeState {
        var stored: [String: ManifestFile] = [:]
        let directory = repository.layout.journalDirectory(label)
        for entry in try await repository.storage.list(directory) where entry.kind == .file && entry.name.hasSuffix(".json") {
            guard let bytes = try? await repository.storage.readAll(directory + "/" + entry.name),
                  let files = try? JSONDecoder().decode([ManifestFile].self, from: Data(bytes)) else { continue }
            for file in files where file.reference == nil {
                guard (try? ManifestPath.validate(file.path)) != nil else { continue }
                stored[file.path] = file
            }
        }
        return ResumeState(header: header, stored: stored)
    }
}

/// Appends batches of stored entries to the journal while the copy runs, so a killed backup's
/// work can be found again. Batches are small JSON objects; losing the last one only costs a re-copy.
actor JournalWriter {
    private let storage: any RepositoryStorage
    private let directory: String
    private var pending: [ManifestFile] = []
    private var batch = 0
    private var lastFlush = Date()
    /// Distinguishes this attempt's batches from an earlier attempt's.
    private let attempt = String(Int(Date().timeIntervalSince1970 * 1000))

    init(storage: any RepositoryStorage, directory: String) {
        self.storage = storage
        self.directory = directory
    }

    func record(_ file: ManifestFile) async throws {
        pending.append(file)
        if pending.count >= 256 || Date().timeIntervalSince(lastFlush) >= 1 { try await flush() }
    }

    func flush() async throws {
        guard !pending.isEmpty else { return }
        let bytes = Array(try JSONEncoder().encode(pending))
        pending.removeAll()
        lastFlush = Date()
        batch += 1
        let name = attempt + "-" + String(batch) + ".json"
        try await storage.write(directory + "/" + name, contents: bytes, options: WriteOptions(durable: false))
    }
}

/// Checks that an object an interrupted attempt stored is complete and intact before it is reused.
enum StoredObjectCheck {
    static func matches(_ storage: any RepositoryStorage, path: String, size: UInt64?, sha256: String?) async -> Bool {
        guard let sha256 else { return false }
        do {
            var reader = try await storage.openRead(path)
            defer { reader.close() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
            defer { buffer.deallocate() }
            var hasher = SHA256Hasher()
            var total: UInt64 = 0
            while true {
                let count = try await reader.read(into: buffer)
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                total += UInt64(count)
            }
            return (size == nil || total == size) && hasher.finalizeHex() == sha256
        } catch {
            return false
        }
    }
}
