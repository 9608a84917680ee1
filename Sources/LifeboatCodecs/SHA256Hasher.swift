import Crypto

/// Incremental SHA-256 (swift-crypto) with lower-case hex output.
///
/// The hex form is what manifests record and what `sha256sum` prints, so comparisons are plain string equality.
public struct SHA256Hasher: Sendable {
    private var hash = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { hash.update(bufferPointer: $0) }
    }

    /// The digest of everything passed to `update`, as 64 lower-case hex digits.
    public consuming func finalizeHex() -> String {
        Self.hexString(hash.finalize())
    }

    /// The SHA-256 digest of `bytes` in one shot, as 64 lower-case hex digits.
    public static func hex(of bytes: [UInt8]) -> String {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    private static func hexString(_ digest: SHA256.Digest) -> String {
        let digits: StaticString = "0123456789abcdef"
        return digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { text in
                digits.withUTF8Buffer { digits in
                    for (index, byte) in bytes.enumerated() {
                        text[2 * index] = digits[Int(byte >> 4)]
                        text[2 * index + 1] = digits[Int(byte & 0x0f)]
                    }
                }
                return bytes.count * 2
            }
        }
    }
}

extension SHA256Hasher {
    /// The first 8 bytes of the SHA-256 of `bytes`, little-endian: a page's identity in a page map.
    public static func prefix64(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = SHA256()
        hash.update(bufferPointer: bytes)
        return hash.finalize().withUnsafeBytes { digest in
            var value: UInt64 = 0
            for offset in 0..<8 { value |= UInt64(digest[offset]) << UInt64(offset * 8) }
            return value
        }
    }
}
