import CLZ4

/// Reads LZ4 frames (several in a row, like `lz4 -d`) with `LZ4F_decompress`; the content checksum (and block
/// checksums, when the writer enabled them) are verified by the library.
struct LZ4Decompressor: Decompressor {
    /// LZ4F decodes a block straight into the destination only when a whole block fits, otherwise into its own
    /// buffer and then copies; this room fits our 1 MiB blocks (larger blocks from other writers still work).
    private static let room = LZ4Compressor.blockSize + 64 * 1024

    private let context: LZ4DecompressionContext
    /// The last `LZ4F_decompress` result: 0 exactly when the input so far ends on a frame boundary.
    private var pending = 0
    private var sawInput = false
    /// At least one frame was decoded completely, so new bytes at a frame boundary are "after the end".
    private var endedFrame = false

    init() throws(CodecError) {
        context = try LZ4DecompressionContext()
    }

    mutating func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        sawInput = true
        let dctx = context.pointer
        var consumed = 0
        while true {
            let afterFrame = endedFrame && pending == 0
            let (result, used, filled) = output.appendInPlace(room: Self.room) { space in
                var written = space.count
                var used = input.count - consumed
                let result = LZ4F_decompress(dctx, space.baseAddress, &written, base + consumed, &used, nil)
                if LZ4Result.isError(result) { return (0, (result, 0, false)) }
                return (written, (result, used, written == space.count))
            }
            if LZ4Result.isError(result) {
                // Bytes after a complete frame that do not start a new frame: say so rather than "unknown frame".
                if afterFrame, LZ4Result.name(result) == "ERROR_frameType_unknown" {
                    throw .corrupt("lz4", "unexpected data after the end of the frame")
                }
                throw LZ4Result.decodingError(result)
            }
            consumed += used
            pending = result
            if result == 0 { endedFrame = true }
            // LZ4F stops at each frame's end and when the destination is full: go round until neither holds.
            // But 0 means the frame is fully flushed, and calling again with no input would start a new frame.
            if consumed == input.count && (!filled || result == 0) { return }
        }
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {
        guard sawInput else { throw .empty("lz4") }
        guard pending == 0 else { throw .truncated("lz4") }
    }

    mutating func reset() throws(CodecError) {
        pending = 0
        sawInput = false
        endedFrame = false
        LZ4F_resetDecompressionContext(context.pointer)
    }
}
