/// Splits PostgreSQL text files into lines.
///
/// Works on UTF-8 bytes because Swift treats "\r\n" as one `Character`, so splitting a `String`
/// on "\n" would leave CRLF files in one piece.
enum TextLines {
    /// The lines of `text`, without their "\n" or "\r\n" terminators.
    static func split(_ text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            var bytes = line
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
