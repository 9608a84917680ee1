#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage
import Testing
@testable import LifeboatEngine

/// A relation file stored whole, then twice as changed pages over it, rebuilds exactly at every link —
/// through growth, shrinking and rewrites — and a damaged layer is caught naming the file.
@Suite("page-level incremental storage and chain rebuild")
struct PageChainTests {
    let storage = MemoryStorage()
    let layout = RepositoryLayout(stanza: "s")
    let path = "base/5/16384"

    static func page(_ block: Int, version: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: block &* 31 &+ version), count: PageObject.pageSize)
        bytes[0] = UInt8(truncatingIfNeeded: version)
        bytes[100] = UInt8(truncatingIfNeeded: block >> 8)
        return bytes
    }

    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "/lifeboat-pagechain-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Stores `content` as backup `label` against `prior` (nil: whole). Returns the entry and its page map.
    func store(_ content: [UInt8], label: String, prior: (entry: ManifestFile, map: PageMap, label: String)?) async throws
        -> (entry: ManifestFile, map: PageMap, changed: Int) {
        let source = try temporaryFile(content)
        defer { unlink(source) }
        let fd = open(source, O_RDONLY)
        defer { close(fd) }
        let workspace = TransferWorkspace(compressionType: .zstd, level: 1)
        var writer = try await storage.create(layout.dataObject(label, path: path, extension: "zst"), options: WriteOptions(durable: false))
        let result = try await workspace.storePages(fd: fd, sourcePath: source, prior: prior?.map, into: &writer)
        try await writer.commit()
        var entry = ManifestFile(path: path, size: result.transfer.size, mtime: 0, mode: 0o600, sha256: result.transfer.sha256,
                                 storedSize: result.transfer.storedSize, storedSha256: result.transfer.storedSha256)
        if let prior {
            let below = BlockLayer(label: prior.label, pages: prior.entry.blockIncremental != nil)
            entry.blockIncremental = BlockIncremental(base: (prior.entry.blockIncremental?.base ?? []) + [below])
        }
        #expect(result.transfer.sha256 == SHA256Hasher.hex(of: content))
        return (entry, result.pageMap, result.changedPages)
    }

    func rebuild(_ entry: ManifestFile, label: String, labels: [String]) async throws -> [UInt8] {
        let chain = BackupChain(label: label, compressTypes: Dictionary(uniqueKeysWithValues: labels.map { ($0, CompressionType.zstd) }))
        let materializer = FileMaterializer(storage: storage, layout: layout, chain: chain)
        let destination = try temporaryFile([])
        defer { unlink(destination) }
        let fd = open(destination, O_RDWR)
        defer { close(fd) }
        try await materializer.materialize(entry, toFD: fd, destination: destination,
                                           workspace: TransferWorkspace(compressionType: .zstd, level: 1))
        return Array(try Data(contentsOf: URL(fileURLWithPath: destination)))
    }

    @Test("full, then grown with two pages rewritten, then shrunk with one rewritten: each link rebuilds byte for byte")
    func chain() async throws {
        var pages = (0..<40).map { Self.page($0, version: 0) }
        let v0 = pages.flatMap { $0 }
        let full = try await store(v0, label: "F", prior: nil)
        #expect(full.changed == 40 && full.map.hashes.count == 40)

        pages[3] = Self.page(3, version: 1)
        pages[17] = Self.page(17, version: 1)
        pages += (40..<45).map { Self.page($0, version: 1) }
        let v1 = pages.flatMap { $0 }
        let first = try await store(v1, label: "F_I1", prior: (full.entry, full.map, "F"))
        #expect(first.changed == 7, "two rewritten pages and five new ones")
        #expect(first.entry.storedSize < full.entry.storedSize)

        pages = Array(pages.prefix(30))
        pages[2] = Self.page(2, version: 2)
        let v2 = pages.flatMap { $0 }
        let second = try await store(v2, label: "F_I2", prior: (first.entry, first.map, "F_I1"))
        #expect(second.changed == 1)
        #expect(second.entry.blockIncremental?.base == [BlockLayer(label: "F", pages: false), BlockLayer(label: "F_I1", pages: true)])

        #expect(try await rebuild(full.entry, label: "F", labels: ["F"]) == v0)
        #expect(try await rebuild(first.entry, label: "F_I1", labels: ["F", "F_I1"]) == v1)
        #expect(try await rebuild(second.entry, label: "F_I2", labels: ["F", "F_I1", "F_I2"]) == v2)
    }

    @Test("a damaged middle layer fails the rebuild and names the file")
    func damagedLayer() async throws {
        var pages = (0..<20).map { Self.page($0, version: 0) }
        let full = try await store(pages.flatMap { $0 }, label: "F", prior: nil)
        pages[5] = Self.page(5, version: 1)
        let first = try await store(pages.flatMap { $0 }, label: "F_I1", prior: (full.entry, full.map, "F"))
        pages[6] = Self.page(6, version: 1)
        let second = try await store(pages.flatMap { $0 }, label: "F_I2", prior: (first.entry, first.map, "F_I1"))

        // Replace the middle layer with a valid page object that carries different bytes for block 5.
        let workspace = TransferWorkspace(compressionType: .zstd, level: 1)
        var forged = pages
        forged[5] = Self.page(5, version: 9)
        let source = try temporaryFile(forged.flatMap { $0 })
        defer { unlink(source) }
        let fd = open(source, O_RDONLY)
        defer { close(fd) }
        var writer = try await storage.create(layout.dataObject("F_I1", path: path, extension: "zst"), options: WriteOptions(durable: false))
        _ = try await workspace.storePages(fd: fd, sourcePath: source, prior: full.map, into: &writer)
        try await writer.commit()

        do {
            _ = try await rebuild(second.entry, label: "F_I2", labels: ["F", "F_I1", "F_I2"])
            Issue.record("a wrong layer must not rebuild silently")
        } catch let error as LifeboatError {
            #expect(error.code == .checksumMismatch)
            #expect(error.message.contains(path))
        }
    }
}
