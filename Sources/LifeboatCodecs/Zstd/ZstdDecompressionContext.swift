import CZstd

/// Owns one `ZSTD_DCtx` and frees it when the last decompressor value holding it goes away.
final class ZstdDecompressionContext {
    let pointer: OpaquePointer

    init() throws(CodecError) {
        guard let pointer = ZSTD_createDCtx() else {
            throw CodecError(.library, "zstd: cannot create a decompression context (out of memory)")
        }
        self.pointer = pointer
    }

    deinit { ZSTD_freeDCtx(pointer) }
}
