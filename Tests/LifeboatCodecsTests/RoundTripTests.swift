import LifeboatCodecs
import Testing

@Suite("Round trips")
struct RoundTripTests {
    @Test("empty input", arguments: CompressionType.allCases)
    func empty(type: CompressionType) throws {
        let compressed = try Streams.compress(type, [])
        // Even an empty stream is a complete frame/member for the real formats, so it can be told from a cut file.
        #expect(compressed.isEmpty == (type == .none))
        #expect(try Streams.decompress(type, compressed) == [])
    }

    @Test("one byte", arguments: CompressionType.allCases)
    func oneByte(type: CompressionType) throws {
        let compressed = try Streams.compress(type, [0x2A])
        #expect(try Streams.decompress(type, compressed) == [0x2A])
    }

    @Test("5 MiB of random bytes", arguments: CompressionType.allCases)
    func incompressible(type: CompressionType) throws {
        let data = Samples.random(5 << 20)
        let compressed = try Streams.compress(type, data)
        // Stored raw blocks: the frame overhead stays small.
        #expect(compressed.count < data.count + data.count / 100 + 1024)
        #expect(try Streams.decompress(type, compressed) == data)
    }

    @Test("highly compressible data", arguments: CompressionType.allCases)
    func compressible(type: CompressionType) throws {
        let data = Samples.compressible(8 << 20)
        let compressed = try Streams.compress(type, data)
        if type != .none { #expect(compressed.count < data.count / 50) }
        // Decompress in small chunks too: every chunk expands a lot, so output rounds are exercised.
        #expect(try Streams.decompress(type, compressed, chunk: 1000) == data)
        #expect(try Streams.decompress(type, compressed) == data)
    }

    @Test("semi-compressible data compresses", arguments: [CompressionType.zstd, .lz4, .gzip])
    func semiCompressible(type: CompressionType) throws {
        let data = Samples.semiCompressible(3 << 20)
        let compressed = try Streams.compress(type, data)
        #expect(compressed.count < data.count / 2)
        #expect(try Streams.decompress(type, compressed) == data)
    }

    /// Odd chunk sizes on both sides; smaller inputs for the tiny chunks to keep debug builds quick.
    @Test("input fed in odd chunk sizes", arguments: CompressionType.allCases, [1, 7, 4096, (1 << 20) + 3])
    func oddChunks(type: CompressionType, chunk: Int) throws {
        let size = chunk < 4096 ? 96 * 1024 : 3 << 20
        let data = Samples.semiCompressible(size / 2) + Samples.random(size / 2)
        let compressed = try Streams.compress(type, data, chunk: chunk)
        #expect(try Streams.decompress(type, compressed) == data)
        #expect(try Streams.decompress(type, compressed, chunk: chunk) == data)
        // Chunking must not change the stream's meaning: the one-shot stream decodes in the same chunks too.
        let oneShot = try Streams.compress(type, data, chunk: data.count)
        #expect(try Streams.decompress(type, oneShot, chunk: chunk) == data)
    }

    @Test("output is appended, never replacing what the caller already has", arguments: CompressionType.allCases)
    func appends(type: CompressionType) throws {
        let data = Samples.semiCompressible(100_000)
        var compressor = try Codecs.compressor(type, level: type.defaultLevel)
        var output: [UInt8] = [1, 2, 3]
        try data.withUnsafeBytes { bytes in try compressor.compress(bytes, into: &output) }
        try compressor.finish(into: &output)
        #expect(output.prefix(3) == [1, 2, 3])
        var decompressor = try Codecs.decompressor(type)
        var restored: [UInt8] = [9]
        try output.dropFirst(3).withUnsafeBytes { bytes in
            try decompressor.decompress(bytes, into: &restored)
        }
        try decompressor.finish(into: &restored)
        #expect(restored == [9] + data)
    }

    /// Decoders grow the output in power-of-two-ish steps; a frame ending exactly when such a step is full must
    /// not make the decompressor look for (and wait on) another frame.
    @Test("decompressed sizes on buffer boundaries", arguments: CompressionType.allCases)
    func boundaries(type: CompressionType) throws {
        for size in [1 << 16, 1 << 17, 1 << 20, (1 << 20) + (1 << 16), 4 << 20] {
            let data = Samples.compressible(size)
            let compressed = try Streams.compress(type, data)
            #expect(try Streams.decompress(type, compressed) == data, "\(size) bytes")
        }
    }

    @Test("concatenated streams decode as one, like the command-line tools", arguments: CompressionType.allCases)
    func concatenated(type: CompressionType) throws {
        let first = Samples.semiCompressible(200_000, seed: 1)
        let second = Samples.random(70_000, seed: 2)
        let joined = try Streams.compress(type, first) + Streams.compress(type, []) + Streams.compress(type, second)
        #expect(try Streams.decompress(type, joined) == first + second)
        #expect(try Streams.decompress(type, joined, chunk: 777) == first + second)
    }

    @Test("zstd with worker threads", arguments: [1, 2])
    func zstdThreads(threads: Int) throws {
        let data = Samples.semiCompressible(6 << 20)
        let compressed = try Streams.compress(.zstd, data, threads: threads)
        #expect(try Streams.decompress(.zstd, compressed) == data)
    }
}
