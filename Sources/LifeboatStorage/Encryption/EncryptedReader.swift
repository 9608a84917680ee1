import Crypto
import Foundation
import LifeboatCore

/// Opens one sealed chunk at a time and serves its plaintext. Any failure to authenticate — a flipped
/// bit, a chunk moved, a missing final chunk, trailing bytes, another object's bytes — is `.corrupt`
/// naming the object, and no unauthenticated byte is ever returned.
struct EncryptedReader: StorageReader {
    private var base: any StorageReader
    private let key: SymmetricKey
    private let path: String
    private let buffers = ChunkBuffers()
    private var start = 0
    private var end = 0
    private var chunkIndex: UInt64 = 0
    private var finished = false

    /// Reads and checks the header through `base`.
    static func open(base: any StorageReader, keys: CipherKeys, path: String) async throws(LifeboatError) -> EncryptedReader {
        var base = base
        let header = UnsafeMutableRawBufferPointer.allocate(byteCount: EncryptedObjectFormat.headerSize, alignment: 16)
        defer { header.deallocate() }
        let count = try await readFully(&base, into: header)
        let magic = EncryptedObjectFormat.magic
        guard count == EncryptedObjectFormat.headerSize, header.prefix(magic.count).elementsEqual(magic) else {
            base.close()
            throw count < EncryptedObjectFormat.headerSize && header.prefix(count).elementsEqual(magic.prefix(count))
                ? authenticationFailure(path)
                : LifeboatError(.corrupt, "stored file '\(path)' is not an encrypted Lifeboat object",
                                hint: "every object of an encrypted stanza is encrypted: this one was written without encryption or replaced")
        }
        let key = keys.objectKey(salt: UnsafeRawBufferPointer(rebasing: header[magic.count...]), path: path)
        return EncryptedReader(base: base, key: key, path: path)
    }

    private init(base: any StorageReader, key: SymmetricKey, path: String) {
        self.base = base
        self.key = key
        self.path = path
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) async throws(LifeboatError) -> Int {
        var copied = 0
        while copied < buffer.count {
            if start == end {
                if finished { break }
                try await openNextChunk()
                continue
            }
            let count = min(end - start, buffer.count - copied)
            (buffer.baseAddress! + copied).copyMemory(from: buffers.plain.baseAddress! + start, byteCount: count)
            start += count
            copied += count
        }
        return copied
    }

    mutating func close() {
        base.close()
    }

    private mutating func openNextChunk() async throws(LifeboatError) {
        let count = try await Self.readFully(&base, into: buffers.sealed)
        // Only the final chunk is shorter than a full sealed chunk; an object must end with one.
        let final = count < EncryptedObjectFormat.sealedChunkSize
        guard count >= EncryptedObjectFormat.tagSize else { throw Self.authenticationFailure(path) }
        // A short count means `readFully` saw the end of the object, so nothing trails the final chunk;
        // bytes appended or cut off change the final chunk's length and fail authentication.
        let textCount = count - EncryptedObjectFormat.tagSize
        do {
            let nonce = try AES.GCM.Nonce(data: EncryptedObjectFormat.nonceBytes(chunk: chunkIndex))
            let box = try AES.GCM.SealedBox(
                nonce: nonce, ciphertext: UnsafeRawBufferPointer(rebasing: buffers.sealed[0..<textCount]),
                tag: UnsafeRawBufferPointer(rebasing: buffers.sealed[textCount..<count]))
            let plain = try AES.GCM.open(
                box, using: key,
                authenticating: final ? EncryptedObjectFormat.finalChunkData : EncryptedObjectFormat.innerChunkData)
            let target = buffers.plain
            plain.withUnsafeBytes { raw in
                if raw.count > 0 { target.baseAddress!.copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            }
        } catch {
            throw Self.authenticationFailure(path)
        }
        start = 0
        end = textCount
        chunkIndex += 1
        if final { finished = true }
    }

    /// Fills `buffer` unless the object ends first; the count read.
    private static func readFully(_ base: inout any StorageReader, into buffer: UnsafeMutableRawBufferPointer) async throws(LifeboatError) -> Int {
        var total = 0
        while total < buffer.count {
            let count = try await base.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            if count == 0 { break }
            total += count
        }
        return total
    }

    static func authenticationFailure(_ path: String) -> LifeboatError {
        LifeboatError(.corrupt, "stored file '\(path)' failed authentication: it was modified or truncated",
                      hint: "this repository copy cannot be trusted; use another backup (--set) or repository")
    }
}
