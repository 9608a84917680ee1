import LifeboatCore
import Testing

@Suite("WALSegment")
struct WALSegmentTests {
    static let mib1 = WALSegmentSize(bytes: 1 << 20)!
    static let mib16 = WALSegmentSize.default16MiB
    static let mib64 = WALSegmentSize(bytes: 64 << 20)!
    static let gib1 = WALSegmentSize(bytes: 1 << 30)!

    @Test("0/2000028 on timeline 1 lives in 000000010000000000000002")
    func knownBackupStart() {
        let segment = WALSegment(containing: LSN("0/2000028")!, timeline: 1, segmentSize: Self.mib16)
        #expect(segment.number == 2)
        #expect(segment.fileName(segmentSize: Self.mib16) == "000000010000000000000002")
    }

    @Test("16/B374D848 across segment sizes", arguments: [
        (mib1, "000000010000001600000B37", 0x16B37),
        (mib16, "0000000100000016000000B3", 0x16B3),
        (mib64, "00000001000000160000002C", 0x5AC),
        (gib1, "000000010000001600000002", 0x5A),
    ] as [(WALSegmentSize, String, UInt64)])
    func acrossSizes(size: WALSegmentSize, name: String, number: UInt64) {
        let segment = WALSegment(containing: LSN("16/B374D848")!, timeline: 1, segmentSize: size)
        #expect(segment.number == number)
        #expect(segment.fileName(segmentSize: size) == name)
        #expect(WALSegment(fileName: name, segmentSize: size) == segment)
    }

    @Test("timelines occupy the first 8 hex digits")
    func timelines() {
        let lsn = LSN("16/B374D848")!
        #expect(WALSegment(containing: lsn, timeline: 2, segmentSize: Self.mib16).fileName(segmentSize: Self.mib16)
            == "0000000200000016000000B3")
        #expect(WALSegment(containing: lsn, timeline: 0xAB, segmentSize: Self.mib16).fileName(segmentSize: Self.mib16)
            == "000000AB00000016000000B3")
        #expect(WALSegment(containing: lsn, timeline: .max, segmentSize: Self.mib16).fileName(segmentSize: Self.mib16)
            == "FFFFFFFF00000016000000B3")
        #expect(WALSegment(fileName: "0000000A0000000000000001", segmentSize: Self.mib16)
            == WALSegment(timeline: 10, number: 1))
    }

    @Test("start and end LSNs bound the segment", arguments: [mib1, mib16, mib64, gib1])
    func bounds(size: WALSegmentSize) {
        let segment = WALSegment(timeline: 1, number: 5)
        #expect(segment.startLSN(segmentSize: size).rawValue == 5 * size.bytes)
        #expect(segment.endLSN(segmentSize: size).rawValue == 6 * size.bytes)
        #expect(segment.endLSN(segmentSize: size) == segment.next.startLSN(segmentSize: size))
        // The last byte is inside, the end is not.
        let last = LSN(rawValue: segment.endLSN(segmentSize: size).rawValue - 1)
        #expect(WALSegment(containing: last, timeline: 1, segmentSize: size) == segment)
        #expect(WALSegment(containing: segment.endLSN(segmentSize: size), timeline: 1, segmentSize: size) == segment.next)
    }

    @Test("16 MiB boundaries in LSN text")
    func boundaryText() {
        let segment = WALSegment(fileName: "000000010000000000000002", segmentSize: Self.mib16)!
        #expect(segment.startLSN(segmentSize: Self.mib16).description == "0/2000000")
        #expect(segment.endLSN(segmentSize: Self.mib16).description == "0/3000000")
        let lastOfFile = WALSegment(fileName: "0000000100000000000000FF", segmentSize: Self.mib16)!
        #expect(lastOfFile.endLSN(segmentSize: Self.mib16).description == "1/0")
        #expect(lastOfFile.next.fileName(segmentSize: Self.mib16) == "000000010000000100000000")
    }

    @Test("next crosses logical-file boundaries for every size", arguments: [mib1, mib16, mib64, gib1])
    func nextCrossesLogicalFile(size: WALSegmentSize) {
        let perFile = size.segmentsPerLogicalFile
        let last = WALSegment(timeline: 3, number: perFile - 1)
        #expect(last.fileName(segmentSize: size) == "0000000300000000" + String(perFile - 1, radix: 16, uppercase: true).leftPadded(8))
        #expect(last.next.fileName(segmentSize: size) == "000000030000000100000000")
        #expect(last.next.timeline == 3)
    }

    @Test("file names round trip for every size", arguments: [mib1, mib16, mib64, gib1])
    func roundTrip(size: WALSegmentSize) {
        for number: UInt64 in [0, 1, 2, 63, 64, 255, 256, 4095, 4096, 123_456, 0xFFFF_FFFF * size.segmentsPerLogicalFile] {
            let segment = WALSegment(timeline: 7, number: number)
            let name = segment.fileName(segmentSize: size)
            #expect(name.utf8.count == 24)
            #expect(WALSegment(fileName: name, segmentSize: size) == segment)
        }
    }

    @Test("rejects names that are not a segment of this size", arguments: [
        ("", mib16), ("00000001000000000000000", mib16), ("0000000100000000000000001", mib16),
        ("000000010000000000000100", mib16),  // segment part 0x100 >= 256 segments per file
        ("000000010000000000001000", mib1),   // 0x1000 >= 4096
        ("000000010000000000000040", mib64),  // 0x40 >= 64
        ("000000010000000000000004", gib1),   // 4 >= 4
        ("000000000000000000000001", mib16),  // timeline 0
        ("00000001000000000000000a", mib16),  // lower case
        ("00000001000000000000000G", mib16),
        ("000000010000000000000001.partial", mib16), ("00000001.history", mib16),
        ("../000000010000000000001", mib16), ("00000001 000000000000001", mib16),
    ] as [(String, WALSegmentSize)])
    func rejects(name: String, size: WALSegmentSize) {
        #expect(WALSegment(fileName: name, segmentSize: size) == nil)
    }

    @Test("the highest segment names parse for each size")
    func highest() {
        #expect(WALSegment(fileName: "0000000100000000000000FF", segmentSize: Self.mib16)?.number == 255)
        #expect(WALSegment(fileName: "000000010000000000000FFF", segmentSize: Self.mib1)?.number == 4095)
        #expect(WALSegment(fileName: "00000001000000000000003F", segmentSize: Self.mib64)?.number == 63)
        #expect(WALSegment(fileName: "000000010000000000000003", segmentSize: Self.gib1)?.number == 3)
    }

    @Test("the very last segment's end saturates instead of overflowing")
    func lastSegmentEnd() {
        let last = WALSegment(containing: LSN(rawValue: .max), timeline: 1, segmentSize: Self.mib16)
        #expect(last.fileName(segmentSize: Self.mib16) == "00000001FFFFFFFF000000FF")
        #expect(last.endLSN(segmentSize: Self.mib16) == LSN(rawValue: .max))
    }

    @Test("ordered by timeline, then number")
    func ordering() {
        let a = WALSegment(timeline: 1, number: 9)
        let b = WALSegment(timeline: 2, number: 1)
        let c = WALSegment(timeline: 2, number: 3)
        #expect(a < b && b < c && a < c)
        #expect([c, a, b].sorted() == [a, b, c])
        #expect(WALSegment(timeline: 1, number: 2).next == WALSegment(timeline: 1, number: 3))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
