#if canImport(Glibc)
import Glibc
#endif

enum Environment {
    /// The process environment, read without Foundation (archive-push start-up stays lean).
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// The local zone's offset from UTC now, for target times typed without a zone.
    static func localUTCOffsetSeconds() -> Int {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return Int(parts.tm_gmtoff)
    }
}
