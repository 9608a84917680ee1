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

/// What a page-by-page pass over a relation file produced.
struct PagedTransferResult: Sendable {
    var transfer: TransferResult
    var pageMap: PageMap
    /// Pages stored (every page when stored whole).
    var changedPages: Int
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

    // MARK: local relation file → repository, page by page

    /// Reads `fd` to its end page by page, hashing every page for the page map and the whole file for
    /// its SHA-256. With `prior` set it stores a `PageObject` of only the pages whose hash differs from
    /// `prior` (or that lie beyond it); without, it stores the whole file. `inspect` sees every page
    /// read (block number within this file, bytes) before it is hashed or stored, and may replace the
    /// bytes (a page re-read after a torn first read) — the data-checksum check hooks in there.
    func storePages(fd: Int32, sourcePath: String, prior: PageMap?, into writer: inout any StorageWriter, threads: Int = 0,
                    progress: ProgressMeter? = nil,
                    inspect: ((UInt32, UnsafeMutableRawBufferPointer) throws -> Void)? = nil) async throws -> PagedTransferResult {
        var compressor = try takeCompressor(threads: compressionType == .zstd ? threads : 0)
        var hasher = SHA256Hasher()
        var storedHasher = SHA256Hasher()
        var result = TransferResult()
        var hashes: [UInt64] = []
        var changed = 0
        let pageSize = PageObject.pageSize
        func compress(_ bytes: UnsafeRawBufferPointer) throws {
            do { try compressor.compress(bytes, into: &output) } catch { throw Self.internalCodecError(error) }
        }
        if prior != nil { try PageObject.magic.withUnsafeBytes { try compress($0) } }
        var filled = 0
        var ended = false
        while !ended {
            let count = Glibc.read(fd, input.baseAddress! + filled, input.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalFS.ioError("read", sourcePath)
            }
            if count == 0 {
                ended = true
                guard filled > 0 else { break }
                // A last partial page (the file grew mid-read): pad it; restore cuts the file to `size`.
                (input.baseAddress! + filled).initializeMemory(as: UInt8.self, repeating: 0, count: pageSize - filled % pageSize)
            }
            let available = ended ? (filled + pageSize - 1) / pageSize * pageSize : filled + count
            let realBytes = ended ? filled : filled + count
            let whole = available / pageSize * pageSize
            var offset = 0
            while offset < whole {
                let block = hashes.count
                if offset + pageSize <= realBytes, let inspect {
                    try inspect(UInt32(block), UnsafeMutableRawBufferPointer(rebasing: input[offset..<(offset + pageSize)]))
                }
                let page = UnsafeRawBufferPointer(rebasing: input[offset..<(offset + pageSize)])
                let hash = SHA256Hasher.prefix64(of: page)
                hashes.append(hash)
                if let prior, prior.changed(block: block, hash: hash) {
                    try PageObject.recordHeader(UInt32(block)).withUnsafeBytes { try compress($0) }
                    try compress(page)
                    changed += 1
                }
                offset += pageSize
            }
            let real = UnsafeRawBufferPointer(rebasing: input[0..<min(whole, realBytes)])
            hasher.update(real)
            if prior == nil { try compress(real) }
            result.size += UInt64(real.count)
            try await flush(into: &writer, result: &result, storedHasher: &storedHasher)
            progress?.advance(bytes: UInt64(real.count))
            filled = realBytes - min(whole, realBytes)
            if filled > 0 {
                input.baseAddress!.copyMemory(from: input.baseAddress! + whole, byteCount: filled)
            }
        }
        do { try compressor.finish(into: &output) } catch { throw Self.internalCodecError(error) }
        try await flush(into: &writer, result: &result, storedHasher: &storedHasher)
        compressors[compressionType == .zstd ? threads : 0] = compressor
        result.sha256 = hasher.finalizeHex()
        result.storedSha256 = storedHasher.finalizeHex()
        return PagedTransferResult(transfer: result, pageMap: PageMap(hashes: hashes), changedPages: prior == nil ? hashes.count : changed)
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
        var hasher = SHA256Hasher()
        var result = try await fetchStream(from: &reader, type: type, describe: describe, progress: progress) { bytes in
            hasher.update(bytes)
            try LocalFS.writeAll(fd, bytes, path: destinationPath)
        }
        result.sha256 = hasher.finalizeHex()
        return result
    }

    /// Streams a stored object through the decompressor into `consume`; returns the bytes decoded and stored.
    func fetchStream(from reader: inout any StorageReader, type: CompressionType, describe: String, progress: ProgressMeter? = nil,
                     consume: (UnsafeRawBufferPointer) throws -> Void) async throws -> TransferResult {
        var decompressor = try takeDecompressor(type)
        var result = TransferResult()
        func hand() throws {
            guard !output.isEmpty else { return }
            try output.withUnsafeBytes { try consume($0) }
            result.size += UInt64(output.count)
            output.removeAll(keepingCapacity: true)
        }
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
                    try hand()
                    offset = end
                }
                progress?.advance(bytes: UInt64(count))
            }
            try decompressor.finish(into: &output)
            try hand()
            decompressors[type] = decompressor
        } catch let error as CodecError {
            output.removeAll(keepingCapacity: true)
            throw LifeboatError(.corrupt, "stored file '\(describe)' is corrupt: \(error.message)",
                                hint: "this repository copy is damaged; use another backup (--set) or repository")
        } catch {
            output.removeAll(keepingCapacity: true)
            throw error
        }
        return result
    }

    /// Size and SHA-256 of what `fd` holds, read from offset 0: proves a file rebuilt from layers.
    func hash(fd: Int32, path: String) throws(LifeboatError) -> (UInt64, String) {
        var hasher = SHA256Hasher()
        var offset: off_t = 0
        while true {
            let count = pread(fd, input.baseAddress, input.count, offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalFS.ioError("read", path)
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: input[0..<count]))
            offset += off_t(count)
        }
        return (UInt64(offset), hasher.finalizeHex())
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

    /// Codec failures while compressing are resource exhaustion or bugs, never the user's input.
    private static func internalCodecError(_ error: any Error) -> LifeboatError {
        LifeboatError(.internal, "compression library failed: \(error)")
    }
}
