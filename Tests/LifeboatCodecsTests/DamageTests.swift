import LifeboatCodecs
import Testing

@Suite("Damaged input is detected")
struct DamageTests {
    static let formats: [CompressionType] = [.zstd, .lz4, .gzip]

    @Test("truncated stream fails at finish", arguments: formats)
    func truncated(type: CompressionType) throws {
        let data = Samples.semiCompressible(500_000)
        let compressed = try Streams.compress(type, data)
        let frame = type == .gzip ? "member" : "frame"
        let expected = CodecError(.truncated, "\(type.rawValue): stream ends before the end of the \(frame) (truncated)")
        // Cut inside the header, in the middle, and just before the checksum's last byte.
        for keep in [3, compressed.count / 2, compressed.count - 1] {
            #expect(throws: expected) { try Streams.decompress(type, Array(compressed.prefix(keep))) }
        }
    }

    @Test("empty input is not a valid stream", arguments: formats)
    func empty(type: CompressionType) throws {
        #expect(throws: CodecError(.truncated, "\(type.rawValue): stream is empty (truncated)")) {
            try Streams.decompress(type, [])
        }
    }

    @Test("a flipped byte never yields wrong output", arguments: formats, [false, true])
    func flippedByte(type: CompressionType, compressibleInput: Bool) throws {
        let data = compressibleInput ? Samples.semiCompressible(400_000) : Samples.random(400_000)
        let compressed = try Streams.compress(type, data)
        // The middle, plus positions spread over the whole stream (headers and trailers included).
        let positions = [compressed.count / 2] + stride(from: 0, to: compressed.count, by: max(1, compressed.count / 97))
        var detected = 0
        for position in positions {
            var damaged = compressed
            damaged[position] ^= 0x10
            do {
                let restored = try Streams.decompress(type, damaged)
                // Some header bytes carry no content (gzip's timestamp): then the output must be exactly right.
                #expect(restored == data, "undetected damage at \(position) of \(compressed.count)")
            } catch let error as CodecError {
                #expect(error.kind == .corrupt || error.kind == .truncated)
                detected += 1
            }
        }
        #expect(detected >= positions.count - 3)
    }

    @Test("checksum mismatch is reported as corrupt")
    func checksumMismatch() throws {
        // Flip a byte of a stored (incompressible) block: the block still decodes, only the checksum can tell.
        let data = Samples.random(200_000)
        for type in Self.formats {
            var damaged = try Streams.compress(type, data)
            damaged[damaged.count / 2] ^= 0x01
            let error = #expect(throws: CodecError.self) { try Streams.decompress(type, damaged) }
            #expect(error?.kind == .corrupt)
            #expect(error?.message.hasPrefix("\(type.rawValue): data is corrupt (") == true)
        }
        var zstd = try Streams.compress(.zstd, data)
        zstd[zstd.count / 2] ^= 0x01
        #expect(throws: CodecError(.corrupt, "zstd: data is corrupt (Restored data doesn't match checksum)")) {
            try Streams.decompress(.zstd, zstd)
        }
    }

    @Test("garbage after the last frame is corrupt", arguments: formats)
    func trailingGarbage(type: CompressionType) throws {
        let data = Samples.semiCompressible(10_000)
        let compressed = try Streams.compress(type, data) + Array("garbage after the end".utf8)
        let unit = type == .gzip ? "member" : "frame"
        #expect(throws: CodecError(.corrupt, "\(type.rawValue): data is corrupt (unexpected data after the end of the \(unit))")) {
            try Streams.decompress(type, compressed)
        }
        // Too short to be a header: still not silently accepted.
        let short = try Streams.compress(type, data) + [0x00]
        #expect(throws: CodecError.self) { try Streams.decompress(type, short) }
    }

    @Test("data that is not compressed at all is corrupt", arguments: formats)
    func notCompressed(type: CompressionType) throws {
        let error = #expect(throws: CodecError.self) {
            try Streams.decompress(type, Samples.semiCompressible(10_000))
        }
        #expect(error?.kind == .corrupt)
    }
}
