import Foundation
import LifeboatCodecs
import Testing

@Suite("CompressionType")
struct CompressionTypeTests {
    @Test("file extensions map both ways")
    func fileExtensions() {
        #expect(CompressionType.zstd.fileExtension == "zst")
        #expect(CompressionType.lz4.fileExtension == "lz4")
        #expect(CompressionType.gzip.fileExtension == "gz")
        #expect(CompressionType.none.fileExtension == "")
        for type in CompressionType.allCases {
            #expect(CompressionType(fileExtension: type.fileExtension) == type)
        }
        #expect(CompressionType(fileExtension: "zstd") == nil)
        #expect(CompressionType(fileExtension: ".gz") == nil)
        #expect(CompressionType(fileExtension: "GZ") == nil)
        #expect(CompressionType(fileExtension: "bz2") == nil)
    }

    @Test("defaults and ranges")
    func levels() {
        #expect(CompressionType.allCases.map(\.defaultLevel) == [3, 1, 6, 0])
        #expect(CompressionType.zstd.levelRange == 1...19)
        #expect(CompressionType.lz4.levelRange == 1...12)
        #expect(CompressionType.gzip.levelRange == 1...9)
        #expect(CompressionType.none.levelRange == 0...0)
    }

    @Test("raw values are the names configs use, and survive Codable")
    func codable() throws {
        #expect(CompressionType.allCases.map(\.rawValue) == ["zstd", "lz4", "gzip", "none"])
        let encoded = try JSONEncoder().encode([CompressionType.lz4])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["lz4"]"#)
        #expect(try JSONDecoder().decode([CompressionType].self, from: encoded) == [.lz4])
    }
}
