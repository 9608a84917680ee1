/// `CompressionType.none`: copies the input unchanged; any length, including zero, is a complete stream.
struct PassthroughDecompressor: Decompressor {
    mutating func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CodecError) {
        output.append(contentsOf: input)
    }

    mutating func finish(into output: inout [UInt8]) throws(CodecError) {}

    mutating func reset() throws(CodecError) {}
}
