/// Guards restore against manifest paths that would write outside the target directory.
///
/// A manifest comes from the repository, which an attacker may control; every path is checked
/// before any file is created. The checks run on UTF-8 bytes: as `Character`s, "/" followed by a
/// combining mark is one grapheme and would not count as a separator, while the file system
/// still sees the "/" byte.
public enum ManifestPath {
    /// Throws .unsafePath (message names the path) for: empty, absolute ("/..."), any "." or ".."
    /// component, empty component ("a//b"), trailing "/", NUL byte, backslash. Returns the components.
    public static func validate(_ path: String) throws(LifeboatError) -> [Substring] {
        func unsafe(_ why: String) -> LifeboatError {
            LifeboatError(
                .unsafePath, "unsafe path '\(printable(path))' in backup manifest: \(why)",
                hint: "the manifest may have been tampered with; do not restore from it and run `lifeboat verify`")
        }
        let bytes = path.utf8
        if bytes.isEmpty { throw unsafe("empty path") }
        if bytes.contains(0) { throw unsafe("contains a NUL byte") }
        if bytes.contains(UInt8(ascii: "\\")) { throw unsafe("contains a backslash") }
        if bytes.first == UInt8(ascii: "/") { throw unsafe("absolute path") }
        if bytes.last == UInt8(ascii: "/") { throw unsafe("trailing '/'") }

        var components: [Substring] = []
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
            let component = bytes[start..<end]
            if component.isEmpty { throw unsafe("empty component") }
            if component.elementsEqual(".".utf8) || component.elementsEqual("..".utf8) {
                throw unsafe("'\(String(decoding: component, as: UTF8.self))' component")
            }
            // "/" is ASCII, so these byte indices are valid scalar boundaries to slice the string at.
            components.append(path[start..<end])
            guard end != bytes.endIndex else { break }
            start = bytes.index(after: end)
        }
        return components
    }

    /// Checks a backup label or reference used as a single repository name component.
    static func validateName(_ name: String, what: String) throws(LifeboatError) {
        let components = try validate(name)
        guard components.count == 1 else {
            throw LifeboatError(
                .unsafePath, "unsafe \(what) '\(printable(name))' in backup manifest: contains '/'",
                hint: "the manifest may have been tampered with; do not restore from it and run `lifeboat verify`")
        }
    }

    /// The path with control characters spelled out, so a message stays on one line.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{" + Hex.upper(UInt64(scalar.value)) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
