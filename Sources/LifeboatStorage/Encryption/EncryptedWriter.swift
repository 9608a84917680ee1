import Crypto
import Foundation
import LifeboatCore

/// Seals plaintext in 64 KiB chunks as it arrives and hands them to the base writer; `commit()` seals the
/// final (short, possibly empty) chunk first. Memory stays at two chunk buffers whatever the object size.
struct EncryptedWriter: StorageWriter {
    private var base: any StorageWriter
    private let key: SymmetricKey
    private let path: String
    private let buffers = ChunkBuffers()
    private var filled = 0
    private var chunkIndex: UInt64 = 0
    private var failed = false
    private(set) var bytesWritten: UInt64 = 0

    /// Writes the header through `base` right away.
    static func start(base: any StorageWriter, keys: CipherKeys, path: String) async throws(LifeboatError) -> EncryptedWriter {
        var header = EncryptedObjectFormat.magic
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<EncryptedObjectFormat.saltSize { header.append(generator.next()) }
        let key = header.withUnsafeBytes { raw in
            keys.objectKey(salt: UnsafeRawBufferPointer(rebasing: raw[EncryptedObjectFormat.magic.count...]), path: path)
        }
        var writer = EncryptedWriter(base: base, key: key, path: path)
        do {
            try await writer.base.write(header)
        } catch {
            writer.failed = true
            throw error
        }
        return writer
    }

    private init(base: any StorageWriter, key: SymmetricKey, path: String) {
        self.base = base
        self.key = key
        self.path = path
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) async throws(LifeboatError) {
        guard !failed else { throw LifeboatError(.internal, "write to '\(path)' after a failed write") }
        var offset = 0
        while offset < bytes.count {
            let count = min(EncryptedObjectFormat.chunkSize - filled, bytes.count - offset)
            (buffers.plain.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            filled += count
            offset += count
            bytesWritten += UInt64(count)
            // A full chunk is never the final one: the final chunk is always shorter than a chunk.
            if filled == EncryptedObjectFormat.chunkSize { try await sealChunk(final: false) }
        }
    }

    mutating func commit() async throws(LifeboatError) {
        guard !failed else { throw LifeboatError(.internal, "commit of '\(path)' after a failed write") }
        try await sealChunk(final: true)
        try await base.commit()
    }

    mutating func abort() async {
        await base.abort()
    }

    private mutating func sealChunk(final: Bool) async throws(LifeboatError) {
        let count = filled
        do {
            let nonce = try AES.GCM.Nonce(data: EncryptedObjectFormat.nonceBytes(chunk: chunkIndex))
            let box = try AES.GCM.seal(
                UnsafeRawBufferPointer(rebasing: buffers.plain[0..<count]), using: key, nonce: nonce,
                authenticating: final ? EncryptedObjectFormat.finalChunkData : EncryptedObjectFormat.innerChunkData)
            let sealed = buffers.sealed
            box.ciphertext.withUnsafeBytes { sealed.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            box.tag.withUnsafeBytes {
                (sealed.baseAddress! + count).copyMemory(from: $0.baseAddress!, byteCount: EncryptedObjectFormat.tagSize)
            }
        } catch {
            failed = true
            throw LifeboatError(.internal, "AES-GCM failed while encrypting '\(path)': \(error)")
        }
        filled = 0
        chunkIndex += 1
        do {
            try await base.write(UnsafeRawBufferPointer(rebasing: buffers.sealed[0..<(count + EncryptedObjectFormat.tagSize)]))
        } catch {
            failed = true
            throw error
        }
    }
}
