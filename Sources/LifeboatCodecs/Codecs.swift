/// The factory the pipeline uses: one streaming compressor or decompressor per `CompressionType`.
public enum Codecs {
    /// A compressor at `level` (must be within `type.levelRange`). `threads` > 0 asks zstd for that many worker
    /// threads (ignored if the library was built without them, and by the other types); 0 compresses on the
    /// caller's thread.
    public static func compressor(_ type: CompressionType, level: Int, threads: Int = 0) throws(CodecError)
        -> any Compressor
    {
        guard type.levelRange.contains(level) else {
            let range = "\(type.levelRange.lowerBound)...\(type.levelRange.upperBound)"
            throw CodecError(.unsupported, "\(type.rawValue): compression level \(level) is not supported (valid levels: \(range))")
        }
        guard threads >= 0 else {
            throw CodecError(.unsupported, "\(type.rawValue): thread count \(threads) is not supported (must be 0 or more)")
        }
        switch type {
        case .zstd: return try ZstdCompressor(level: level, threads: threads)
        case .lz4: return try LZ4Compressor(level: level)
        case .gzip: return try GzipCompressor(level: level)
        case .none: return PassthroughCompressor()
        }
    }

    /// A decompressor for `type`; it reads what the matching compressor and the standard command-line tools write.
    public static func decompressor(_ type: CompressionType) throws(CodecError) -> any Decompressor {
        switch type {
        case .zstd: try ZstdDecompressor()
        case .lz4: try LZ4Decompressor()
        case .gzip: try GzipDecompressor()
        case .none: PassthroughDecompressor()
        }
    }
}
