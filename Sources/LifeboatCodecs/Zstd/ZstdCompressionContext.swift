import CZstd

/// Owns one `ZSTD_CCtx` and frees it when the last compressor value holding it goes away.
///
/// A class so the context has a single owner with a deinit; the compressor struct only holds the reference.
final class ZstdCompressionContext {
    let pointer: OpaquePointer

    init() throws(CodecError) {
        guard let pointer = ZSTD_createCCtx() else {
            throw CodecError(.library, "zstd: cannot create a compression context (out of memory)")
        }
        self.pointer = pointer
    }

    deinit { ZSTD_freeCCtx(pointer) }
}
