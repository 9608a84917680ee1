/// A streaming decompressor. Not Sendable: owned by one task at a time. Reusable after finish() via reset().
///
/// Accepts concatenated frames (zstd, lz4) or members (gzip) as the command-line tools do. Data after the
/// last frame that is not another valid frame is reported as `.corrupt`, so garbage never passes silently.
/// After an error, call `reset()` before reusing it. Copies of a decompressor value share the same C context:
/// use one copy only.
public protocol Decompressor {
    /// Decompresses `input`, appending all output it yields to `output`.
    mutating func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError)
    /// Throws .truncated when the stream ended mid-frame, .corrupt on a bad checksum.
    mutating func finish(into output: inout [UInt8]) throws(CodecError)
    /// Prepares for a new independent stream (cheap: reuses contexts).
    mutating func reset() throws(CodecError)
}
