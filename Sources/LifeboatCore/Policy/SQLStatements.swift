/// Splits a file of SQL checks into statements at top-level `;`, the way psql would: semicolons
/// inside '…' and "…" literals, $tag$…$tag$ bodies, -- line comments and /* */ comments do not
/// split. Empty statements (and comment-only ones) are dropped; each statement is trimmed.
public enum SQLStatements {
    public static func split(_ text: String) -> [String] {
        let characters = Array(text)
        var statements: [String] = []
        var current = ""
        var hasCode = false
        var index = 0
        func finish() {
            let trimmed = current.trimmingWhitespace()
            if hasCode && !trimmed.isEmpty { statements.append(trimmed) }
            current = ""
            hasCode = false
        }
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case ";":
                finish()
                index += 1
            case "-" where next == "-":
                while index < characters.count, characters[index] != "\n" { index += 1 }
            case "/" where next == "*":
                index += 2
                while index < characters.count, !(characters[index] == "*" && index + 1 < characters.count && characters[index + 1] == "/") {
                    index += 1
                }
                index = min(index + 2, characters.count)
                current.append(" ")
            case "'", "\"":
                // A doubled quote inside a literal is an escaped quote, which this loop handles by
                // closing and reopening the literal.
                var end = index + 1
                while end < characters.count, characters[end] != character { end += 1 }
                end = min(end + 1, characters.count)
                current.append(contentsOf: characters[index..<end])
                hasCode = true
                index = end
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    var end = tagEnd + 1
                    while end < characters.count, !matches(characters, at: end, tag) { end += 1 }
                    end = min(end + tag.count, characters.count)
                    current.append(contentsOf: characters[index..<end])
                    index = end
                } else {
                    current.append(character)
                    index += 1
                }
                hasCode = true
            default:
                current.append(character)
                if !character.isWhitespace { hasCode = true }
                index += 1
            }
        }
        finish()
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `start` (`$$` or `$name$`).
    private static func dollarTagEnd(_ characters: [Character], from start: Int) -> Int? {
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "$" { return index }
            guard character.isLetter || character == "_" || (character.isNumber && index > start + 1) else { return nil }
            index += 1
        }
        return nil
    }

    private static func matches(_ characters: [Character], at index: Int, _ tag: [Character]) -> Bool {
        guard index + tag.count <= characters.count else { return false }
        return Array(characters[index..<index + tag.count]) == tag
    }
}

/// Splits a command line option (`notify-command`) into a program and its arguments without a
/// shell: words are separated by blanks; '…' and "…" group (quotes removed; no escapes inside
/// single quotes, backslash escapes `"` and `\` inside double quotes and anything outside quotes).
public enum CommandWords {
    public static func split(_ text: String) throws(LifeboatError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            case _ where character.isWhitespace:
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else {
            throw LifeboatError(.invalidArgument, "invalid command '\(text)': unterminated quote or trailing backslash")
        }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw LifeboatError(.invalidArgument, "invalid command: it is empty") }
        return words
    }
}
