import CLZ4

/// Turns LZ4F's `size_t` results (error codes hidden in the top values) into `CodecError`s.
enum LZ4Result {
    static func isError(_ code: Int) -> Bool { LZ4F_isError(code) != 0 }

    /// The library's name for the error, e.g. "ERROR_contentChecksum_invalid".
    static func name(_ code: Int) -> String { String(cString: LZ4F_getErrorName(code)) }

    /// Allocation failures are the library's problem; anything else while decoding means the data is bad.
    static func decodingError(_ code: Int) -> CodecError {
        let name = name(code)
        if name.contains("allocation") { return CodecError(.library, "lz4: cannot decompress (\(name))") }
        return .corrupt("lz4", name)
    }

    /// While encoding, the data cannot be at fault: any error is a library or settings problem.
    static func check(_ code: Int, _ action: String) throws(CodecError) {
        guard isError(code) else { return }
        throw CodecError(.library, "lz4: cannot \(action) (\(name(code)))")
    }

    static func isDestinationTooSmall(_ code: Int) -> Bool { isError(code) && name(code) == "ERROR_dstMaxSize_tooSmall" }
}
