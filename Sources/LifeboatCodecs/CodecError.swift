/// Why a compression or decompression step failed.
///
/// Kept separate from LifeboatCore's error so the codecs stay a leaf module; the engine maps `kind` to its own codes
/// (`corrupt`/`truncated` -> a damaged repository object, `unsupported` -> a bad option, `library` -> internal).
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The input is not valid compressed data: bad header, bad block, checksum mismatch, trailing garbage.
        case corrupt
        /// The input ended before the end of the frame (or was empty): a partial upload or a cut-off file.
        case truncated
        /// A setting the codec does not accept, such as a level outside `CompressionType.levelRange`.
        case unsupported
        /// The C library failed for a reason unrelated to the data (out of memory, unexpected state).
        case library
    }

    public let kind: Kind
    /// One lower-case line naming the codec first, e.g. "zstd: data is corrupt (Restored data doesn't match checksum)".
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension CodecError {
    /// The stream stopped mid-frame; `unit` is the codec's word for its container ("frame", "member").
    static func truncated(_ codec: String, unit: String = "frame") -> CodecError {
        CodecError(.truncated, "\(codec): stream ends before the end of the \(unit) (truncated)")
    }

    /// Nothing at all was fed to a decompressor whose format always has a header, so the object was cut to zero bytes.
    static func empty(_ codec: String) -> CodecError {
        CodecError(.truncated, "\(codec): stream is empty (truncated)")
    }

    static func corrupt(_ codec: String, _ detail: String) -> CodecError {
        CodecError(.corrupt, "\(codec): data is corrupt (\(detail))")
    }
}
