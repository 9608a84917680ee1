import LifeboatCore
import Testing

/// Block 0 of a two-row heap table (`create table t(id int, name text)`, rows 1 'lifeboat' and
/// 2 'page checksum'), copied from a PostgreSQL 15 cluster initialised with --data-checksums after
/// a checkpoint and a clean stop (pg_checksums --check agreed). Only the non-zero runs are kept:
/// (offset, hex bytes); everything else on the page is zero.
private let realHeapPageRuns: [(Int, String)] = [
    (4, "88377601a26600002000a81f0020042000000000d89f4a00a89f54"),
    (8104, "d40200000000000005000000000000000200020002081800020000001d7061676520636865636b73756d000000000000"
        + "d4020000000000000500000000000000010002000208180001000000136c696665626f6174"),
]
/// pd_checksum as PostgreSQL stored it on that page (bytes 8..9, little-endian a2 66).
private let realHeapPageChecksum: UInt16 = 0x66A2

private func realHeapPage() -> [UInt8] {
    var page = [UInt8](repeating: 0, count: PageChecksum.pageSize)
    for (offset, hex) in realHeapPageRuns {
        let digits = Array(hex.utf8)
        for index in stride(from: 0, to: digits.count, by: 2) {
            page[offset + index / 2] = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)!
        }
    }
    return page
}

@Suite struct PageChecksumTests {
    @Test func computesTheChecksumPostgreSQLStoredOnARealPage() {
        #expect(PageChecksum.compute(page: realHeapPage(), blockNumber: 0) == realHeapPageChecksum)
    }

    @Test func ignoresTheStoredChecksumFieldItself() {
        var page = realHeapPage()
        page[8] = 0
        page[9] = 0
        #expect(PageChecksum.compute(page: page, blockNumber: 0) == realHeapPageChecksum)
        page[8] = 0xFF
        page[9] = 0x17
        #expect(PageChecksum.compute(page: page, blockNumber: 0) == realHeapPageChecksum)
    }

    @Test(arguments: [0, 10, 11, 23, 4000, 8103, 8150, 8191])
    func aFlippedByteAnywhereElseChangesIt(offset: Int) {
        var page = realHeapPage()
        page[offset] ^= 0x01
        #expect(PageChecksum.compute(page: page, blockNumber: 0) != realHeapPageChecksum)
    }

    @Test func theBlockNumberIsPartOfIt() {
        let page = realHeapPage()
        #expect(PageChecksum.compute(page: page, blockNumber: 1) != realHeapPageChecksum)
        #expect(PageChecksum.compute(page: page, blockNumber: 131_072) != realHeapPageChecksum)
    }

    @Test func neverProducesZero() {
        // (x % 65535) + 1 is in 1...65535 for any page.
        var page = [UInt8](repeating: 0, count: PageChecksum.pageSize)
        for block: UInt32 in 0..<2000 {
            page[100] = UInt8(truncatingIfNeeded: block)
            #expect(PageChecksum.compute(page: page, blockNumber: block) != 0)
        }
    }
}

@Suite struct PageHeaderTests {
    @Test func readsTheFieldsOfARealPage() {
        let header = PageHeader(page: realHeapPage())
        // xlogid 0, xrecoff 0x01763788 (bytes 4..7 little-endian 88 37 76 01).
        #expect(header.lsn == LSN(rawValue: 0x0176_3788))
        #expect(header.checksum == realHeapPageChecksum)
        #expect(header.flags == 0)
        #expect(header.lower == 32)
        #expect(header.upper == 8104)
        #expect(header.special == 8192)
        #expect(header.pageSizeVersion == 8196)  // 8192 | layout version 4
        #expect(!header.isNew)
        #expect(header.isSane)
    }

    @Test func theLSNHighHalfComesFirst() {
        var page = [UInt8](repeating: 0, count: 24)
        page[0] = 0x16  // xlogid = 0x16
        page[4] = 0x48
        page[5] = 0xD8
        page[6] = 0x74
        page[7] = 0xB3  // xrecoff = 0xB374D848
        #expect(PageHeader(page: page).lsn == LSN("16/B374D848"))
    }

    @Test func aPageWithoutUpperIsNew() {
        #expect(PageHeader(page: [UInt8](repeating: 0, count: 8192)).isNew)
    }

    @Test func insaneHeadersAreCaught() {
        func header(flags: UInt16 = 0, lower: UInt16 = 32, upper: UInt16 = 8000, special: UInt16 = 8192) -> PageHeader {
            PageHeader(lsn: .zero, checksum: 1, flags: flags, lower: lower, upper: upper, special: special, pageSizeVersion: 8196)
        }
        #expect(header().isSane)
        #expect(header(flags: 0x0007).isSane)
        #expect(!header(flags: 0x0008).isSane)
        #expect(!header(lower: 8001).isSane)
        #expect(!header(upper: 8193, special: 8192).isSane)
        #expect(!header(upper: 8000, special: 8200).isSane)
        #expect(!header(upper: 8000, special: 8004).isSane)  // not MAXALIGNed
    }
}

@Suite struct PageVerificationTests {
    @Test func aRealPageIsValid() {
        #expect(PageVerification.verify(page: realHeapPage(), blockNumber: 0, checksumsEnabled: true) == .valid)
    }

    @Test func aFlippedDataByteIsAChecksumMismatch() {
        var page = realHeapPage()
        page[8150] ^= 0x40
        let verdict = PageVerification.verify(page: page, blockNumber: 0, checksumsEnabled: true)
        #expect(verdict == .checksumMismatch(stored: realHeapPageChecksum, computed: PageChecksum.compute(page: page, blockNumber: 0)))
        #expect(!verdict.isValid)
        // Without data checksums only the header is judged.
        #expect(PageVerification.verify(page: page, blockNumber: 0, checksumsEnabled: false) == .valid)
    }

    @Test func aPageAtTheWrongBlockFails() {
        #expect(!PageVerification.verify(page: realHeapPage(), blockNumber: 7, checksumsEnabled: true).isValid)
    }

    @Test func allZeroPagesAreValid() {
        let zero = [UInt8](repeating: 0, count: 8192)
        #expect(PageVerification.verify(page: zero, blockNumber: 3, checksumsEnabled: true) == .allZero)
    }

    @Test func aNewPageWithGarbageIsInvalid() {
        var page = [UInt8](repeating: 0, count: 8192)
        page[5000] = 1
        #expect(PageVerification.verify(page: page, blockNumber: 0, checksumsEnabled: true) == .invalidHeader)
    }

    @Test func garbageInTheHeaderIsInvalid() {
        var page = realHeapPage()
        page[16] = 0xFF  // pd_special low byte: 0x20FF is past the page
        page[17] = 0x20
        #expect(PageVerification.verify(page: page, blockNumber: 0, checksumsEnabled: false) == .invalidHeader)
        #expect(PageVerification.verify(page: page, blockNumber: 0, checksumsEnabled: true) == .invalidHeader)
    }
}

@Suite struct RelationFileTests {
    @Test func parsesRelationFileNames() throws {
        let main = try #require(RelationFile(path: "base/5/16384"))
        #expect(main.relfilenode == 16384 && main.fork == .main && main.segment == 0)
        let segment = try #require(RelationFile(path: "base/5/12345.2"))
        #expect(segment.relfilenode == 12345 && segment.segment == 2)
        let fsm = try #require(RelationFile(path: "global/1262_fsm"))
        #expect(fsm.fork == .fsm && fsm.segment == 0)
        let vm = try #require(RelationFile(path: "pg_tblspc/16400/PG_15_202209061/5/16401_vm.1"))
        #expect(vm.fork == .vm && vm.segment == 1 && vm.relfilenode == 16401)
        #expect(RelationFile(path: "base/5/16384_init")?.fork == .initialization)
    }

    @Test(arguments: [
        "global/pg_control", "global/pg_filenode.map", "base/5/PG_VERSION", "base/5/pg_internal.init",
        "base/5/16384_main", "base/5/16384.0", "base/5/016384", "base/5/16384.", "base/5/t3_1234",
        "PG_VERSION", "pg_wal/000000010000000000000001", "base/16384", "base/x/16384", "pg_xact/0000",
        "base/5/16384_fsm_vm", "base/5/16384.1.2", "base/5/0",
    ])
    func otherFilesAreNotRelationFiles(path: String) {
        #expect(RelationFile(path: path) == nil)
    }

    @Test func blockNumbersCountAcrossSegments() throws {
        #expect(try #require(RelationFile(path: "base/5/12345")).blockNumber(pageIndex: 7) == 7)
        #expect(try #require(RelationFile(path: "base/5/12345.2")).blockNumber(pageIndex: 0) == 262_144)
        #expect(try #require(RelationFile(path: "base/5/12345.2")).blockNumber(pageIndex: 5) == 262_149)
    }
}
