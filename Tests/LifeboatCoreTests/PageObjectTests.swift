import LifeboatCore
import Testing

@Suite("Page objects, page maps and block chains")
struct PageObjectTests {
    static func page(_ fill: UInt8) -> [UInt8] { [UInt8](repeating: fill, count: PageObject.pageSize) }

    static func object(_ pages: [(UInt32, UInt8)]) -> [UInt8] {
        var bytes = PageObject.magic
        for (block, fill) in pages { bytes += PageObject.recordHeader(block) + page(fill) }
        return bytes
    }

    static func parse(_ bytes: [UInt8], pieces: Int) throws -> [(UInt32, UInt8)] {
        var parser = PageObjectParser(describe: "base/5/16384.zst")
        var found: [(UInt32, UInt8)] = []
        let size = max(1, bytes.count / pieces)
        var start = 0
        while start < bytes.count {
            let piece = Array(bytes[start..<min(bytes.count, start + size)])
            try piece.withUnsafeBytes { raw in
                try parser.feed(raw) { block, page in
                    #expect(page.count == PageObject.pageSize)
                    #expect(page.allSatisfy { $0 == page[0] })
                    found.append((block, page[0]))
                }
            }
            start += size
        }
        try parser.finish()
        return found
    }

    @Test("records come back with their block numbers however the stream is split", arguments: [1, 3, 7, 1000, 30000])
    func roundTrip(pieces: Int) throws {
        let pages: [(UInt32, UInt8)] = [(0, 1), (5, 2), (6, 3), (131071, 4)]
        let found = try Self.parse(Self.object(pages), pieces: pieces)
        #expect(found.map(\.0) == pages.map(\.0))
        #expect(found.map(\.1) == pages.map(\.1))
    }

    @Test("an object with no changed pages is just the magic")
    func empty() throws {
        #expect(try Self.parse(PageObject.magic, pieces: 1).isEmpty)
    }

    @Test("a truncated record, a wrong magic, a missing magic and out-of-order blocks are corrupt")
    func corrupt() {
        let good = Self.object([(1, 1), (2, 2)])
        for bad in [Array(good.dropLast(1)), [0x41] + Array(good.dropFirst()), Array(PageObject.magic.prefix(5)),
                    Self.object([(2, 1), (2, 2)]), Self.object([(3, 1), (1, 2)])] {
            #expect(throws: LifeboatError.self) { _ = try Self.parse(bad, pieces: 2) }
            do { _ = try Self.parse(bad, pieces: 2) } catch {
                let failure = error as? LifeboatError
                #expect(failure?.code == .corrupt && failure?.message.contains("base/5/16384.zst") == true)
            }
        }
    }

    @Test("a page map encodes 8 bytes per page and says which pages changed")
    func pageMap() throws {
        let map = PageMap(hashes: [1, 0xdead_beef_0000_0001, .max])
        let bytes = map.encoded()
        #expect(bytes.count == 24)
        #expect(Array(bytes[8..<16]) == [1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde])
        #expect(try PageMap(decoding: bytes, describe: "m") == map)
        #expect(!map.changed(block: 1, hash: 0xdead_beef_0000_0001))
        #expect(map.changed(block: 1, hash: 2))
        #expect(map.changed(block: 3, hash: 1), "a page beyond the reference's length is always stored")
        #expect(throws: LifeboatError.self) { try PageMap(decoding: [1, 2, 3], describe: "m") }
    }

    @Test("a page map delta carries only changed and new entries, and rebuilds the map over its prior")
    func pageMapDelta() throws {
        let prior = PageMap(hashes: [10, 11, 12, 13, 14])
        let grown = PageMap(hashes: [10, 99, 12, 13, 14, 15, 16])
        let delta = grown.encodedDelta(against: prior)
        #expect(delta.count == 8 + 3 * 12, "one rewritten and two new pages")
        #expect(try prior.applying(delta: delta, describe: "d") == grown)
        let shrunk = PageMap(hashes: [10, 11, 77])
        #expect(try prior.applying(delta: shrunk.encodedDelta(against: prior), describe: "d") == shrunk)
        #expect(try prior.applying(delta: prior.encodedDelta(against: prior), describe: "d") == prior)
        // A delta that leaves a new page without an entry, a bad magic, a torn entry: corrupt.
        var missing = grown.encodedDelta(against: prior)
        missing.removeLast(12)
        for bad in [missing, [0] + Array(delta.dropFirst()), Array(delta.dropLast(3))] {
            #expect(throws: LifeboatError.self) { try prior.applying(delta: bad, describe: "d") }
        }
    }

    @Test("relation files of 16 pages or more qualify for page-level storage", arguments: [
        ("base/5/16384", 16 * 8192, true), ("base/5/16384.1", 1 << 30, true), ("base/5/16384_fsm", 24 * 8192, true),
        ("base/5/16384_vm.3", 16 * 8192, true), ("global/1262", 16 * 8192, true),
        ("pg_tblspc/16385/PG_15_202209061/5/16390", 32 * 8192, true),
        ("base/5/16384", 15 * 8192, false), ("base/5/16384", 16 * 8192 + 1, false), ("base/5/PG_VERSION", 16 * 8192, false),
        ("base/5/pg_filenode.map", 16 * 8192, false), ("pg_xact/0000", 32 * 8192, false), ("base/5/16384_foo", 16 * 8192, false),
        ("base/5/16384.", 16 * 8192, false), ("global/pg_control", 16 * 8192, false), ("base/16384", 16 * 8192, false),
    ])
    func relationFiles(path: String, size: Int, expected: Bool) {
        #expect(PageGranularity.qualifies(path: path, size: UInt64(size)) == expected)
    }

    @Test("a manifest lists every backup its files depend on: references and page layers")
    func dependencies() {
        var manifest = BackupManifestTests.sample()
        manifest.files[1].blockIncremental = BlockIncremental(base: [
            BlockLayer(label: "20261121-100000F", pages: false), BlockLayer(label: "20261121-100000F_20261121-200000I", pages: true),
        ])
        #expect(manifest.dependencies == ["20261121-100000F", "20261121-100000F_20261121-200000I"])
        #expect(manifest.files[0].storageLabel(in: manifest.label) == "20261121-100000F")
        #expect(manifest.files[1].storageLabel(in: manifest.label) == manifest.label)
    }

    @Test("a page layer whose label could escape the backup directory is refused")
    func unsafeLayer() throws {
        var manifest = BackupManifestTests.sample()
        manifest.files[1].blockIncremental = BlockIncremental(base: [BlockLayer(label: "../other", pages: false)])
        let bytes = try manifest.encoded()
        #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes) }
        manifest.files[1].blockIncremental = BlockIncremental(base: [BlockLayer(label: "20261121-100000F", pages: false)])
        manifest.files[1].pageMapSha256 = String(repeating: "a", count: 64)
        manifest.files[1].checksumPageErrors = [3, 9]
        #expect(try BackupManifest.decode(try manifest.encoded()) == manifest)
    }
}
