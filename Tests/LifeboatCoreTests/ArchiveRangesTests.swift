import Foundation
import LifeboatCore
import Testing

private func seg(_ timeline: UInt32, _ number: UInt64) -> WALSegment {
    WALSegment(timeline: timeline, number: number)
}

@Suite("ArchiveRanges")
struct ArchiveRangesTests {
    static let size = WALSegmentSize.default16MiB

    @Test("groups runs per timeline, across gaps and logical-file boundaries, ignoring order and duplicates")
    func compute() {
        let segments = [seg(2, 0x100), seg(1, 3), seg(1, 5), seg(1, 1), seg(2, 0xFF), seg(1, 2), seg(1, 3), seg(3, 7)]
        #expect(ArchiveRanges.compute(segments, segmentSize: Self.size) == [
            ArchiveRange(timeline: 1, first: "000000010000000000000001", last: "000000010000000000000003", count: 3),
            ArchiveRange(timeline: 1, first: "000000010000000000000005", last: "000000010000000000000005", count: 1),
            ArchiveRange(timeline: 2, first: "0000000200000000000000FF", last: "000000020000000100000000", count: 2),
            ArchiveRange(timeline: 3, first: "000000030000000000000007", last: "000000030000000000000007", count: 1),
        ])
    }

    @Test("the same numbers on different timelines are different runs")
    func timelinesDoNotJoin() {
        let ranges = ArchiveRanges.compute([seg(1, 1), seg(2, 2), seg(1, 3)], segmentSize: Self.size)
        #expect(ranges.map(\.count) == [1, 1, 1])
        #expect(ranges.map(\.timeline) == [1, 1, 2])
    }

    @Test("names follow the segment size")
    func otherSize() {
        let size = WALSegmentSize(bytes: 1 << 20)!
        #expect(ArchiveRanges.compute([seg(1, 4095), seg(1, 4096)], segmentSize: size) == [
            ArchiveRange(timeline: 1, first: "000000010000000000000FFF", last: "000000010000000100000000", count: 2)
        ])
    }

    @Test("an empty archive has no ranges")
    func empty() {
        #expect(ArchiveRanges.compute([], segmentSize: Self.size).isEmpty)
    }

    @Test("ranges are Codable")
    func codable() throws {
        let range = ArchiveRange(timeline: 1, first: "000000010000000000000001", last: "000000010000000000000003", count: 3)
        let json = try JSONEncoder().encode(range)
        #expect(try JSONDecoder().decode(ArchiveRange.self, from: json) == range)
    }

    @Test("missing lists the holes between two segments, inclusive, on from's timeline")
    func missing() {
        let archived: Set = [seg(1, 1), seg(1, 2), seg(1, 4), seg(2, 3), seg(2, 5)]
        #expect(ArchiveRanges.missing(from: seg(1, 1), through: seg(1, 6), archived: archived) == [seg(1, 3), seg(1, 5), seg(1, 6)])
        #expect(ArchiveRanges.missing(from: seg(1, 1), through: seg(1, 2), archived: archived).isEmpty)
        #expect(ArchiveRanges.missing(from: seg(1, 4), through: seg(1, 4), archived: archived).isEmpty)
        #expect(ArchiveRanges.missing(from: seg(1, 3), through: seg(1, 3), archived: archived) == [seg(1, 3)])
        #expect(ArchiveRanges.missing(from: seg(1, 0), through: seg(1, 1), archived: []) == [seg(1, 0), seg(1, 1)])
        #expect(ArchiveRanges.missing(from: seg(1, 5), through: seg(1, 4), archived: archived).isEmpty)
    }
}
