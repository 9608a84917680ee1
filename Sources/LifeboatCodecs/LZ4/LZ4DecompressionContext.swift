import CLZ4

/// Owns one `LZ4F_dctx` and frees it when the last decompressor value holding it goes away.
final class LZ4DecompressionContext {
    let pointer: OpaquePointer

    init() throws(CodecError) {
        var pointer: OpaquePointer?
        let result = LZ4F_createDecompressionContext(&pointer, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(result) == 0, let pointer else {
            throw CodecError(.library, "lz4: cannot create a decompression context (\(LZ4Result.name(result)))")
        }
        self.pointer = pointer
    }

    deinit { LZ4F_freeDecompressionContext(pointer) }
}
