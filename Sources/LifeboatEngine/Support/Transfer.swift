#if canImport(Glibc)
import Glibc
#endif
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

/// What one pass over a file produced.
struct TransferResult: Sendable {
    var size: UInt64 = 0        // original bytes
    var storedSize: UInt64 = 0  // bytes in the repository
    var sha256: String = ""     // of the original bytes
    var storedSha256: String = ""  // of the stored bytes (set by `store`)
}

/// The buffers and codec contexts one worker reuses for every file it moves, so the copy loop
/// allocates nothing per chunk. Owned by one worker task; a class so its buffers keep stable addresses
/// across the storage driver's suspension points.
final class TransferWorkspace {
    static let chunkSize = 1 << 20
    /// Compressed bytes handed to the decompressor at a time.
    static let decodeSlice = 32 << 10

    /// Raw input: local reads (backup) or stored bytes (restore).
    private let input: UnsafeMutableRawBufferPointer
    /// Compressed bytes handed to the storage driver; stable while the driver awaits.
    private let staging: UnsafeMutableRawBufferPointer
    /// Codec output, appended by the codecs.
    private var output: [UInt8] = []
    private let compressionType: CompressionType
    private let level: Int
    /// Keyed by zstd thread count: a threaded and a single-threaded context are not interchangeable.
    private var compressors: [Int: any Compressor] = [:]
    private var decompressors: [CompressionType: any Decompressor] = [:]

    /// The suffix of objects this workspace stores.
    var compressionExtension: String { compressionType.fileExtension }

    init(compressionType: CompressionType, level: Int) {
        self.compressionType = compressionType
        self.level = level
        input = .allocate(byteCount: Self.chunkSize, alignment: 64)
        staging = .allocate(byteCount: Self.chunkSize * 2, alignment: 64)
        output.reserveCapacity(Self.chunkSize * 2)
    }

    deinit {
        input.deallocate()
        staging.deallocate()
    }

    // MARK: local file → repository

    /// Reads `fd` to its end, hashing and compressing in one pass, and streams the result into `writer`.
    /// The writer is not committed here: the caller decides how durable the commit must be.
    /// `hashing: false` skips the SHA-256 when the caller has it already; `threads` > 0 lets zstd
    /// compress one large input on several cores (a 1 GiB relation segment would otherwise keep one
    /// worker busy long after the others ran out of files).
    func store(fd: Int32, sourcePath: String, into writer: inout any StorageWriter, hashing: Bool = true, threads: Int = 0,
               progress: ProgressMeter? = nil) async throws -> TransferResult {
        var compressor = try takeCompressor(threads: compressionType == .zstd ? threads : 0)
        var hasher = SHA256Hasher()
        var storedHasher = SHA256Hasher()
        var result = TransferResult()
        while true {
            let count = Glibc.read(fd, input.baseAddress, input.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalFS.ioError("read", sourcePath)
            }
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: input[0..<count])
            if hashing { hasher.update(chunk) }
            do { try compressor.compress(chunk, into: &output) } catch { throw Self.internalCodecError(error) }
            result.size += UInt64(count)
            try await flush(into: &writer, result: &result, storedHasher: &storedHasher)
            progress?.advance(bytes: UInt64(count))
        }
        do { try compressor.finish(into: &output) } catch { throw Self.internalCodecError(error) }
        try await flush(into: &writer, result: &result, storedHasher: &storedHasher)
        compressors[compressionType == .zstd ? threads : 0] = compressor
        if hashing { result.sha256 = hasher.finalizeHex() }
        result.storedSha256 = storedHasher.finalizeHex()
        return result
    }

    private func takeCompressor(threads: Int) throws -> any Compressor {
        do {
            if var existing = compressors.removeValue(forKey: threads) {
                try existing.reset()
                return existing
            }
            return try Codecs.compressor(compressionType, level: level, threads: threads)
        } catch {
            throw Self.internalCodecError(error)
        }
    }

    /// Hands the codec output to the driver in staging-sized pieces.
    private func flush(into writer: inout any StorageWriter, result: inout TransferResult,
                       storedHasher: inout SHA256Hasher) async throws {
        output.withUnsafeBytes { storedHasher.update($0) }
        var offset = 0
        while offset < output.count {
            let count = min(staging.count, output.count - offset)
            output.withUnsafeBytes { raw in
                staging.baseAddress!.copyMemory(from: raw.baseAddress! + offset, byteCount: count)
            }
            try await writer.write(UnsafeRawBufferPointer(rebasing: staging[0..<count]))
            offset += count
        }
        result.storedSize += UInt64(output.count)
        output.removeAll(keepingCapacity: true)
    }

    // MARK: repository → local file

    /// Streams a stored object through the decompressor into `fd`, hashing what it writes.
    /// `describe` names the object in error messages.
    func fetch(from reader: inout any StorageReader, type: CompressionType, toFD fd: Int32, destinationPath: String, describe: String, progress: ProgressMeter? = nil) async throws -> TransferResult {
        var decompressor = try takeDecompressor(type)
        var hasher = SHA256Hasher()
        var result = TransferResult()
        do {
            while true {
                let count = try await reader.read(into: input)
                if count == 0 { break }
                result.storedSize += UInt64(count)
                // Small slices bound the decoded output per call: 1 MiB of pgbench data compressed 20×
                // would otherwise decode into a 20 MiB buffer per worker.
                var offset = 0
                while offset < count {
                    let end = min(offset + Self.decodeSlice, count)
                    try decompressor.decompress(UnsafeRawBufferPointer(rebasing: input[offset..<end]), into: &output)
                    try drain(to: fd, hasher: &hasher, result: &result, path: destinationPath)
                    offset = end
                }
                progress?.advance(bytes: UInt64(count))
            }
            try decompressor.finish(into: &output)
            try drain(to: fd, hasher: &hasher, result: &result, path: destinationPath)
            decompressors[type] = decompressor
        } catch let error as CodecError {
            output.removeAll(keepingCapacity: true)
            throw LifeboatError(.corrupt, "stored file '\(describe)' is corrupt: \(error.message)",
                                hint: "this repository copy is damaged; use another backup (--set) or repository")
        }
        result.sha256 = hasher.finalizeHex()
        return result
    }

    private func takeDecompressor(_ type: CompressionType) throws -> any Decompressor {
        do {
            if var existing = decompressors.removeValue(forKey: type) {
                try existing.reset()
                return existing
            }
            return try Codecs.decompressor(type)
        } catch {
            throw Self.internalCodecError(error)
        }
    }

    private func drain(to fd: Int32, hasher: inout SHA256Hasher, result: inout TransferResult, path: String) throws {
        guard !output.isEmpty else { return }
        try output.withUnsafeBytes { (raw) throws in
            hasher.update(raw)
            try LocalFS.writeAll(fd, raw, path: path)
        }
        result.size += UInt64(output.count)
        output.removeAll(keepingCapacity: true)
    }

    /// Codec failures while compressing are resource exhaustion or bugs, never the user's input.
    private static func internalCodecError(_ error: any Error) -> LifeboatError {
        LifeboatError(.internal, "compression library failed: \(error)")
    }
}
