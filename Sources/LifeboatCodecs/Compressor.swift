/// A streaming compressor. Not Sendable: owned by one task at a time. Reusable after finish() via reset().
///
/// Implementations append to `output` without clearing it, so a caller can reuse one buffer (cleared with
/// `removeAll(keepingCapacity: true)`) for every chunk and never allocate on the data path.
/// After `finish`, the next call starts a new stream as if `reset()` had been called; `reset()` is what
/// abandons a stream half-way (and recovers after an error). Copies of a compressor value share the same C
/// context: use one copy only.
public protocol Compressor {
    /// Compresses `input`, appending whatever output is ready to `output`.
    mutating func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError)
    /// Flushes and ends the stream (frame epilogue/checksum), appending to `output`.
    mutating func finish(into output: inout [UInt8]) throws(CodecError)
    /// Prepares for a new independent stream with the same settings (cheap: reuses contexts).
    mutating func reset() throws(CodecError)
}
