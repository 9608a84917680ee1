import LifeboatCodecs
import Testing

@Suite("Levels and threads")
struct LevelTests {
    @Test("every level in range round-trips", arguments: CompressionType.allCases)
    func everyLevel(type: CompressionType) throws {
        let data = Samples.semiCompressible(100_000)
        for level in type.levelRange {
            let compressed = try Streams.compress(type, data, level: level)
            #expect(try Streams.decompress(type, compressed) == data, "level \(level)")
        }
    }

    @Test("higher levels compress better")
    func ratios() throws {
        let data = Samples.semiCompressible(1 << 20)
        for type in [CompressionType.zstd, .lz4, .gzip] {
            let low = try Streams.compress(type, data, level: type.levelRange.lowerBound).count
            let high = try Streams.compress(type, data, level: type.levelRange.upperBound).count
            #expect(high < low, "\(type)")
        }
    }

    @Test("levels outside the range are refused", arguments: CompressionType.allCases)
    func outOfRange(type: CompressionType) {
        let range = type.levelRange
        for level in [range.lowerBound - 1, range.upperBound + 1, 100] {
            #expect(throws: CodecError(.unsupported,
                "\(type.rawValue): compression level \(level) is not supported (valid levels: \(range.lowerBound)...\(range.upperBound))")) {
                _ = try Codecs.compressor(type, level: level)
            }
        }
    }

    @Test("default level is within range", arguments: CompressionType.allCases)
    func defaultLevel(type: CompressionType) {
        #expect(type.levelRange.contains(type.defaultLevel))
    }

    @Test("negative thread counts are refused")
    func negativeThreads() {
        #expect(throws: CodecError(.unsupported, "zstd: thread count -1 is not supported (must be 0 or more)")) {
            _ = try Codecs.compressor(.zstd, level: 3, threads: -1)
        }
    }

    @Test("threads are accepted and ignored by codecs without them", arguments: CompressionType.allCases)
    func threadsIgnored(type: CompressionType) throws {
        let data = Samples.semiCompressible(200_000)
        #expect(try Streams.decompress(type, Streams.compress(type, data, threads: 4)) == data)
    }
}
