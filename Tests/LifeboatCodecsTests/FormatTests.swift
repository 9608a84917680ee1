import Foundation
import LifeboatCodecs
import Testing

/// Our streams are the standard formats: the command-line tools read what we write and we read what they write.
@Suite("Standard formats")
struct FormatTests {
    @Test("magic bytes")
    func magic() throws {
        let data = Samples.semiCompressible(1000)
        #expect(try Streams.compress(.zstd, data).prefix(4) == [0x28, 0xB5, 0x2F, 0xFD])
        #expect(try Streams.compress(.lz4, data).prefix(4) == [0x04, 0x22, 0x4D, 0x18])
        #expect(try Streams.compress(.gzip, data).prefix(3) == [0x1F, 0x8B, 0x08])
    }

    @Test("the command-line tool decompresses our stream", arguments: [CompressionType.zstd, .lz4, .gzip])
    func toolReadsOurs(type: CompressionType) throws {
        let data = Samples.semiCompressible(3 << 20)
        let compressed = try Streams.compress(type, data, chunk: 100_003)
        #expect(try Tool.run(type.rawValue, ["-d", "-c"], input: compressed) == data)
    }

    @Test("we decompress the command-line tool's stream", arguments: [CompressionType.zstd, .lz4, .gzip])
    func weReadTools(type: CompressionType) throws {
        let data = Samples.semiCompressible(3 << 20)
        let compressed = try Tool.run(type.rawValue, ["-c"], input: data)
        #expect(try Streams.decompress(type, compressed, chunk: 65_537) == data)
    }

    @Test("zstd frames carry a content checksum")
    func zstdChecksumFlag() throws {
        let frame = try Streams.compress(.zstd, Samples.semiCompressible(1000))
        // Frame header descriptor byte: bit 2 is Content_Checksum_flag.
        #expect(frame[4] & 0b100 != 0)
    }

    @Test("lz4 frames use independent blocks and a content checksum")
    func lz4Flags() throws {
        let frame = try Streams.compress(.lz4, Samples.semiCompressible(1000))
        // FLG byte: bit 5 block independence, bit 2 content checksum.
        #expect(frame[4] & 0b0010_0000 != 0)
        #expect(frame[4] & 0b0000_0100 != 0)
    }
}

/// Runs a compression tool with stdin/stdout through temporary files (no pipe deadlocks, no shell).
enum Tool {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ name: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lifeboat-codecs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("in")
        let outputURL = directory.appendingPathComponent("out")
        try Data(input).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(name)")
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(name) \(arguments) exited with \(process.terminationStatus)")
        }
        return Array(try Data(contentsOf: outputURL))
    }
}
