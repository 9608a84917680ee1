import LifeboatCodecs
import Testing

@Suite("SHA256Hasher")
struct SHA256HasherTests {
    // FIPS 180-2 vectors.
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test("known vectors")
    func vectors() {
        #expect(SHA256Hasher.hex(of: []) == Self.empty)
        #expect(SHA256Hasher.hex(of: Array("abc".utf8)) == Self.abc)
        #expect(SHA256Hasher().finalizeHex() == Self.empty)
        #expect(SHA256Hasher.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("incremental equals one-shot, whatever the split")
    func incremental() {
        let data = Samples.random(300_001)
        let oneShot = SHA256Hasher.hex(of: data)
        for chunk in [1, 63, 64, 65, 4096, 100_000] {
            var hasher = SHA256Hasher()
            var offset = 0
            while offset < data.count {
                let end = min(offset + chunk, data.count)
                if chunk == 4096 {
                    hasher.update(Array(data[offset..<end]))
                } else {
                    data.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
                }
                offset = end
            }
            #expect(hasher.finalizeHex() == oneShot, "chunk \(chunk)")
        }
    }

    @Test("hex is lower case, 64 digits")
    func format() {
        let hex = SHA256Hasher.hex(of: Samples.random(1000))
        #expect(hex.count == 64)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
