/// `CompressionType.none`: copies the input unchanged, so the pipeline needs no special case for it.
struct PassthroughCompressor: Compressor {
    mutating func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        output.append(contentsOf: input)
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {}

    mutating func reset() throws(CodecError) {}
}
