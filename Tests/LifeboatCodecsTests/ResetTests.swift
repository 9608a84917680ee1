import LifeboatCodecs
import Testing

@Suite("Reuse after reset")
struct ResetTests {
    @Test("a compressor makes identical independent streams after reset", arguments: CompressionType.allCases)
    func compressorReset(type: CompressionType) throws {
        let data = Samples.semiCompressible(300_000)
        var compressor = try Codecs.compressor(type, level: type.defaultLevel)
        var streams: [[UInt8]] = []
        for _ in 0..<3 {
            var output = [UInt8]()
            try data.withUnsafeBytes { bytes in try compressor.compress(bytes, into: &output) }
            try compressor.finish(into: &output)
            try compressor.reset()
            streams.append(output)
        }
        #expect(streams[0] == streams[1] && streams[1] == streams[2])
        #expect(try Streams.decompress(type, streams[2]) == data)
    }

    @Test("after finish, the next call starts a new stream even without reset", arguments: CompressionType.allCases)
    func finishStartsNewStream(type: CompressionType) throws {
        let first = Samples.semiCompressible(30_000, seed: 3)
        let second = Samples.random(20_000, seed: 4)
        var compressor = try Codecs.compressor(type, level: type.defaultLevel)
        var output = [UInt8]()
        try first.withUnsafeBytes { bytes in try compressor.compress(bytes, into: &output) }
        try compressor.finish(into: &output)
        try second.withUnsafeBytes { bytes in try compressor.compress(bytes, into: &output) }
        try compressor.finish(into: &output)
        try compressor.finish(into: &output)  // a third, empty stream
        // Two (three) concatenated streams read back as the concatenated data.
        #expect(try Streams.decompress(type, output) == first + second)
    }

    @Test("reset mid-stream discards the abandoned stream", arguments: CompressionType.allCases)
    func compressorResetMidStream(type: CompressionType) throws {
        var compressor = try Codecs.compressor(type, level: type.defaultLevel)
        var discarded = [UInt8]()
        try Samples.random(3 << 20).withUnsafeBytes { bytes in
            try compressor.compress(bytes, into: &discarded)
        }
        try compressor.reset()
        let data = Samples.semiCompressible(50_000)
        var output = [UInt8]()
        try data.withUnsafeBytes { bytes in try compressor.compress(bytes, into: &output) }
        try compressor.finish(into: &output)
        #expect(try Streams.decompress(type, output) == data)
    }

    @Test("a decompressor reads a new stream after reset, even after a failure", arguments: [CompressionType.zstd, .lz4, .gzip])
    func decompressorReset(type: CompressionType) throws {
        let data = Samples.semiCompressible(300_000)
        let compressed = try Streams.compress(type, data)
        var decompressor = try Codecs.decompressor(type)
        var output = [UInt8]()
        // A cut stream first: finish fails...
        try compressed.prefix(compressed.count / 2).withUnsafeBytes { bytes in
            try decompressor.decompress(bytes, into: &output)
        }
        #expect(throws: CodecError.self) { try decompressor.finish(into: &output) }
        // ...then the whole stream, twice.
        for _ in 0..<2 {
            try decompressor.reset()
            output.removeAll(keepingCapacity: true)
            try compressed.withUnsafeBytes { bytes in try decompressor.decompress(bytes, into: &output) }
            try decompressor.finish(into: &output)
            #expect(output == data)
        }
    }
}
