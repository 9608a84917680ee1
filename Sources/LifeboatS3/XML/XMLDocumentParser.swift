/// A small XML parser for S3 responses (ListObjectsV2, multipart replies, error bodies).
/// Foundation's XMLParser would pull libxml2 into the statically linked binary; S3's XML needs none of
/// its features, so a strict little parser is simpler and has no dependency.
public enum XMLDocumentParser {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "malformed XML: \(reason)" }
    }

    /// The root element of `bytes`.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> XMLElement {
        var parser = Cursor(bytes: bytes)
        parser.skipProlog()
        guard parser.peek() == UInt8(ascii: "<") else { throw Failure(reason: "no root element") }
        let root = try parser.element()
        parser.skipMisc()
        guard parser.atEnd else { throw Failure(reason: "content after the root element") }
        return root
    }

    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        func starts(with text: String) -> Bool {
            let pattern = Array(text.utf8)
            return index + pattern.count <= bytes.count && Array(bytes[index..<index + pattern.count]) == pattern
        }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func skip(past terminator: String) {
            while !atEnd && !starts(with: terminator) { index += 1 }
            index = min(bytes.count, index + terminator.utf8.count)
        }

        /// Whitespace, comments and processing instructions (`<?xml …?>`), and a DOCTYPE.
        mutating func skipProlog() {
            if starts(with: "\u{FEFF}") { index += 3 }
            skipMisc()
            if starts(with: "<!DOCTYPE") { skip(past: ">"); skipMisc() }
        }

        mutating func skipMisc() {
            while true {
                skipWhitespace()
                if starts(with: "<?") { skip(past: "?>") } else if starts(with: "<!--") { skip(past: "-->") } else { return }
            }
        }

        mutating func name() throws(Failure) -> String {
            let start = index
            while let byte = peek(), !(byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
                || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")) {
                index += 1
            }
            guard index > start else { throw Failure(reason: "expected a name at byte \(start)") }
            let full = String(decoding: bytes[start..<index], as: UTF8.self)
            // "s3:Key" → "Key": S3 never needs the prefix.
            if let colon = full.lastIndex(of: ":") { return String(full[full.index(after: colon)...]) }
            return full
        }

        /// Parses `<name attr="…">content</name>` or `<name/>` starting at "<".
        mutating func element() throws(Failure) -> XMLElement {
            index += 1
            var element = XMLElement(name: try name())
            // Attributes: S3 only uses xmlns, which we do not need.
            while true {
                skipWhitespace()
                guard let byte = peek() else { throw Failure(reason: "unterminated tag <\(element.name)>") }
                if byte == UInt8(ascii: "/") {
                    guard peek(1) == UInt8(ascii: ">") else { throw Failure(reason: "bad empty tag <\(element.name)>") }
                    index += 2
                    return element
                }
                if byte == UInt8(ascii: ">") { index += 1; break }
                _ = try name()
                skipWhitespace()
                guard peek() == UInt8(ascii: "=") else { throw Failure(reason: "attribute without value in <\(element.name)>") }
                index += 1
                skipWhitespace()
                guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                    throw Failure(reason: "unquoted attribute in <\(element.name)>")
                }
                index += 1
                while let next = peek(), next != quote { index += 1 }
                guard !atEnd else { throw Failure(reason: "unterminated attribute in <\(element.name)>") }
                index += 1
            }
            var text: [UInt8] = []
            while true {
                guard let byte = peek() else { throw Failure(reason: "unterminated element <\(element.name)>") }
                if byte == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        index += 2
                        let closing = try name()
                        skipWhitespace()
                        guard closing == element.name, peek() == UInt8(ascii: ">") else {
                            throw Failure(reason: "</\(closing)> closes <\(element.name)>")
                        }
                        index += 1
                        element.text = String(decoding: text, as: UTF8.self)
                        return element
                    } else if starts(with: "<!--") {
                        skip(past: "-->")
                    } else if starts(with: "<![CDATA[") {
                        index += 9
                        while !atEnd && !starts(with: "]]>") { text.append(bytes[index]); index += 1 }
                        guard !atEnd else { throw Failure(reason: "unterminated CDATA") }
                        index += 3
                    } else if starts(with: "<?") {
                        skip(past: "?>")
                    } else {
                        element.children.append(try self.element())
                    }
                } else if byte == UInt8(ascii: "&") {
                    text += try entity()
                } else {
                    text.append(byte)
                    index += 1
                }
            }
        }

        mutating func entity() throws(Failure) -> [UInt8] {
            let start = index
            while let byte = peek(), byte != UInt8(ascii: ";") {
                index += 1
                if index - start > 12 { throw Failure(reason: "bad entity at byte \(start)") }
            }
            guard !atEnd else { throw Failure(reason: "unterminated entity at byte \(start)") }
            let body = String(decoding: bytes[start + 1..<index], as: UTF8.self)
            index += 1
            switch body {
            case "amp": return Array("&".utf8)
            case "lt": return Array("<".utf8)
            case "gt": return Array(">".utf8)
            case "quot": return Array("\"".utf8)
            case "apos": return Array("'".utf8)
            default:
                var code: UInt32?
                if body.hasPrefix("#x") || body.hasPrefix("#X") { code = UInt32(body.dropFirst(2), radix: 16) }
                else if body.hasPrefix("#") { code = UInt32(body.dropFirst(), radix: 10) }
                guard let code, let scalar = Unicode.Scalar(code) else {
                    throw Failure(reason: "unknown entity &\(body);")
                }
                return Array(String(Character(scalar)).utf8)
            }
        }
    }
}
