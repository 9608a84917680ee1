import CZstd

/// Turns zstd's `size_t` results (error codes hidden in the top values) into `CodecError`s.
enum ZstdResult {
    static func isError(_ code: Int) -> Bool { ZSTD_isError(code) != 0 }

    /// The library's own wording, e.g. "Restored data doesn't match checksum".
    static func name(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }

    /// Allocation failures are the library's problem, a frame asking for a window above zstd's default limit
    /// (128 MiB, e.g. `zstd --long=31`) is a setting we do not accept; anything else means the data is bad.
    static func decodingError(_ code: Int) -> CodecError {
        let name = name(code)
        if name.hasPrefix("Allocation error") { return CodecError(.library, "zstd: cannot decompress (\(name))") }
        if name.hasPrefix("Frame requires too much memory") {
            return CodecError(.unsupported, "zstd: cannot decompress (\(name))")
        }
        return .corrupt("zstd", name)
    }

    /// While encoding, the data cannot be at fault: any error is a library or settings problem.
    static func check(_ code: Int, _ action: String) throws(CodecError) {
        guard isError(code) else { return }
        throw CodecError(.library, "zstd: cannot \(action) (\(name(code)))")
    }
}
