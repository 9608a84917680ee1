import CZlib

/// Words for zlib's status codes, preferring the stream's own message (e.g. "incorrect data check").
enum ZlibStatus {
    /// `avail_in`/`avail_out` are 32-bit: larger buffers are fed in slices of this size.
    static let maxSlice = 1 << 30

    static func describe(_ status: Int32, _ message: UnsafePointer<CChar>?) -> String {
        if let message { return String(cString: message) }
        switch status {
        case Z_MEM_ERROR: return "out of memory"
        case Z_DATA_ERROR: return "invalid data"
        case Z_STREAM_ERROR: return "inconsistent stream state"
        case Z_NEED_DICT: return "a preset dictionary is required"
        case Z_VERSION_ERROR: return "incompatible zlib version"
        case Z_BUF_ERROR: return "no progress possible"
        default: return "status \(status)"
        }
    }
}
