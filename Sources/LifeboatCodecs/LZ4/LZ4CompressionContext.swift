import CLZ4

/// Owns one `LZ4F_cctx` and frees it when the last compressor value holding it goes away.
final class LZ4CompressionContext {
    let pointer: OpaquePointer

    init() throws(CodecError) {
        var pointer: OpaquePointer?
        let result = LZ4F_createCompressionContext(&pointer, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(result) == 0, let pointer else {
            throw CodecError(.library, "lz4: cannot create a compression context (\(LZ4Result.name(result)))")
        }
        self.pointer = pointer
    }

    deinit { LZ4F_freeCompressionContext(pointer) }
}
