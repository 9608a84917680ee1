/// The layout of every object `EncryptedStorage` stores (all integers big-endian):
///
///     header   "LBAEAD01" (8 bytes: magic and format version) + 32 random bytes (the object's salt)
///     chunk 0  AES-256-GCM(64 KiB of plaintext) + 16-byte tag
///     ...
///     final    AES-256-GCM(0 to 64 KiB - 1 bytes) + 16-byte tag
///
/// - Each object has its own key, HKDF-SHA256(master key, salt: the object's random salt,
///   info: "lifeboat object v1" 0x00 path): keys are never reused across objects (256 random bits),
///   and an object copied or renamed to another path fails authentication (no swapping two WAL files).
/// - The nonce of chunk i is 4 zero bytes + i as 8 bytes: unique within the object's key, and a chunk
///   moved to another position fails authentication.
/// - The additional data is one byte, 1 for the final chunk and 0 for the others. The final chunk
///   always holds fewer than 64 KiB (possibly 0 bytes), so every object ends with exactly one chunk
///   marked final: truncation at a chunk boundary is detected as surely as a flipped bit.
/// - Sizes are a pure function of the plaintext size, so `info` and `list` report plaintext sizes.
package enum EncryptedObjectFormat {
    package static let magic: [UInt8] = Array("LBAEAD01".utf8)
    package static let saltSize = 32
    package static let headerSize = 40
    package static let chunkSize = 64 << 10
    package static let tagSize = 16
    package static var sealedChunkSize: Int { chunkSize + tagSize }

    /// Stored bytes for `plainSize` bytes of content.
    package static func storedSize(plainSize: UInt64) -> UInt64 {
        UInt64(headerSize) + plainSize + UInt64(tagSize) * (plainSize / UInt64(chunkSize) + 1)
    }

    /// The plaintext size of a well-formed object of `storedSize` bytes; nil if no object has that size
    /// (it was truncated or is not an encrypted object: reading it will say so).
    package static func plainSize(storedSize: UInt64) -> UInt64? {
        guard storedSize >= UInt64(headerSize + tagSize) else { return nil }
        let body = storedSize - UInt64(headerSize)
        let fullChunks = body / UInt64(sealedChunkSize)
        let rest = body % UInt64(sealedChunkSize)
        guard rest >= UInt64(tagSize) else { return nil }
        return fullChunks * UInt64(chunkSize) + rest - UInt64(tagSize)
    }

    /// 12-byte GCM nonce of chunk `index`.
    static func nonceBytes(chunk index: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 12)
        for shift in 0..<8 { bytes[4 + shift] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(7 - shift))) }
        return bytes
    }

    static let finalChunkData: [UInt8] = [1]
    static let innerChunkData: [UInt8] = [0]
}
