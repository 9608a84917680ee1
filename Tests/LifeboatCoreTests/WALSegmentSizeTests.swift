import Foundation
import LifeboatCore
import Testing

@Suite("WALSegmentSize")
struct WALSegmentSizeTests {
    @Test("accepts powers of two from 1 MiB to 1 GiB", arguments: 20...30)
    func accepts(power: Int) throws {
        let size = try #require(WALSegmentSize(bytes: 1 << UInt64(power)))
        #expect(size.bytes == 1 << UInt64(power))
        #expect(size.segmentsPerLogicalFile == 1 << UInt64(32 - power))
    }

    @Test("rejects everything else", arguments: [
        0, 1, 512 * 1024, (1 << 20) - 1, (1 << 20) + 1, 3 << 20, 24 << 20, (1 << 30) + 1, 1 << 31, 1 << 32, UInt64.max,
    ] as [UInt64])
    func rejects(bytes: UInt64) {
        #expect(WALSegmentSize(bytes: bytes) == nil)
    }

    @Test("the default is 16 MiB, 256 segments per logical file")
    func defaultSize() {
        #expect(WALSegmentSize.default16MiB.bytes == 16 * 1024 * 1024)
        #expect(WALSegmentSize.default16MiB.segmentsPerLogicalFile == 256)
        #expect(WALSegmentSize(bytes: 16 << 20) == .default16MiB)
    }

    @Test("Codable as the byte count, validated when decoding")
    func codable() throws {
        let json = try JSONEncoder().encode([WALSegmentSize.default16MiB])
        #expect(String(decoding: json, as: UTF8.self) == "[16777216]")
        #expect(try JSONDecoder().decode([WALSegmentSize].self, from: Data("[1048576]".utf8)) == [WALSegmentSize(bytes: 1 << 20)!])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([WALSegmentSize].self, from: Data("[1000000]".utf8))
        }
    }
}
