import CZstd

/// Reads zstd frames (several in a row, like `zstd -d`) with `ZSTD_decompressStream`; the frames' checksums are
/// verified by the library.
struct ZstdDecompressor: Decompressor {
    private let context: ZstdDecompressionContext
    /// The last `ZSTD_decompressStream` result: 0 exactly when the input so far ends on a frame boundary.
    private var pending = 0
    private var sawInput = false
    /// At least one frame was decoded completely, so new bytes at a frame boundary are "after the end".
    private var endedFrame = false

    init() throws(CodecError) {
        context = try ZstdDecompressionContext()
    }

    mutating func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        sawInput = true
        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        // zstd decodes into its own window buffer and copies out, so a big room only saves rounds: twice the
        // input (a guess at the ratio), capped so a huge input does not reserve a huge buffer.
        let room = max(ZSTD_DStreamOutSize(), min(2 * input.count, 4 << 20))
        while true {
            let afterFrame = endedFrame && pending == 0
            let (result, filled) = output.appendInPlace(room: room) { space in
                var sink = ZSTD_outBuffer(dst: space.baseAddress, size: space.count, pos: 0)
                let result = ZSTD_decompressStream(context.pointer, &sink, &source)
                if ZstdResult.isError(result) { return (0, (result, false)) }
                return (sink.pos, (result, sink.pos == sink.size))
            }
            if ZstdResult.isError(result) {
                // Bytes after a complete frame that do not start a new frame: say so rather than "unknown frame".
                if afterFrame, ZstdResult.name(result) == "Unknown frame descriptor" {
                    throw .corrupt("zstd", "unexpected data after the end of the frame")
                }
                throw ZstdResult.decodingError(result)
            }
            pending = result
            if result == 0 { endedFrame = true }
            // A full output buffer may hide more decoded bytes inside zstd: go round until it stops filling it.
            // But 0 means the frame is fully flushed, and calling again with no input would start a new frame.
            if source.pos == source.size && (!filled || result == 0) { return }
        }
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {
        // `decompress` already drained everything decodable; all that is left is to check the stream was whole.
        guard sawInput else { throw .empty("zstd") }
        guard pending == 0 else { throw .truncated("zstd") }
    }

    mutating func reset() throws(CodecError) {
        pending = 0
        sawInput = false
        endedFrame = false
        try ZstdResult.check(ZSTD_DCtx_reset(context.pointer, ZSTD_reset_session_only), "reset the context")
    }
}
