/// Heap buffers one encrypting writer or decrypting reader reuses for every chunk; a class so they keep
/// stable addresses across the base driver's suspension points and are freed with their owner.
final class ChunkBuffers {
    /// Plaintext of the chunk being filled (writer) or drained (reader).
    let plain: UnsafeMutableRawBufferPointer
    /// One sealed chunk: ciphertext + tag.
    let sealed: UnsafeMutableRawBufferPointer

    init() {
        plain = .allocate(byteCount: EncryptedObjectFormat.chunkSize, alignment: 64)
        sealed = .allocate(byteCount: EncryptedObjectFormat.sealedChunkSize, alignment: 64)
    }

    deinit {
        plain.deallocate()
        sealed.deallocate()
    }
}
