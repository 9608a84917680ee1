import CZstd

/// zstd frames written with `ZSTD_compressStream2`, with the content checksum on so that the frame itself
/// catches corruption and truncation, and optionally zstd's own worker threads.
struct ZstdCompressor: Compressor {
    /// Bytes per zstd worker job when compressing on several threads.
    static let jobSize = 1 << 20

    private let context: ZstdCompressionContext

    init(level: Int, threads: Int) throws(CodecError) {
        context = try ZstdCompressionContext()
        let cctx = context.pointer
        try ZstdResult.check(
            ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, Int32(level)), "set compression level \(level)")
        try ZstdResult.check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), "enable the content checksum")
        if threads > 0 {
            // A library built without multithreading reports nbWorkers as unsupported: compress on the caller's
            // thread instead, the output format is the same.
            let bounds = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers)
            if !ZstdResult.isError(bounds.error), bounds.upperBound > 0 {
                _ = ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, Int32(min(threads, Int(bounds.upperBound))))
                // Small jobs keep each worker's buffers small: memory stays bounded (backup's peak RSS
                // target is 64 MiB) at a negligible cost in ratio, since jobs overlap their windows.
                _ = ZSTD_CCtx_setParameter(cctx, ZSTD_c_jobSize, Int32(Self.jobSize))
            }
        }
    }

    mutating func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        // Room for a whole compressed block lets zstd compress straight into `output`, skipping its internal
        // buffer; room for the whole chunk (up to 4 MiB) usually makes one round enough.
        let room = max(ZSTD_compressBound(min(input.count, 4 << 20)), ZSTD_CStreamOutSize())
        repeat {
            let result = step(&source, room: room, mode: ZSTD_e_continue, into: &output)
            try ZstdResult.check(result, "compress")
        } while source.pos < source.size
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {
        var source = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        // ZSTD_e_end returns how many bytes are still to flush; 0 once the epilogue and checksum are out.
        while true {
            let remaining = step(&source, room: ZSTD_CStreamOutSize(), mode: ZSTD_e_end, into: &output)
            try ZstdResult.check(remaining, "end the frame")
            if remaining == 0 { return }
        }
    }

    mutating func reset() throws(CodecError) {
        // Session-only reset keeps the level, checksum and worker settings.
        try ZstdResult.check(ZSTD_CCtx_reset(context.pointer, ZSTD_reset_session_only), "reset the context")
    }

    private func step(
        _ source: inout ZSTD_inBuffer, room: Int, mode: ZSTD_EndDirective, into output: inout [UInt8]
    ) -> Int {
        output.appendInPlace(room: room) { space in
            var sink = ZSTD_outBuffer(dst: space.baseAddress, size: space.count, pos: 0)
            let result = ZSTD_compressStream2(context.pointer, &sink, &source, mode)
            return (ZstdResult.isError(result) ? 0 : sink.pos, result)
        }
    }
}
