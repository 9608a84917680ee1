import LifeboatCore
import Testing

@Suite("ManifestPath")
struct ManifestPathTests {
    @Test("accepts relative paths and returns their components", arguments: [
        ("PG_VERSION", ["PG_VERSION"]),
        ("base/1/1259", ["base", "1", "1259"]),
        ("pg_tblspc/16384/PG_15_202209061/5/16385", ["pg_tblspc", "16384", "PG_15_202209061", "5", "16385"]),
        ("...", ["..."]),
        ("..a/b..", ["..a", "b.."]),
        (".hidden/x", [".hidden", "x"]),
        ("dir with space/é", ["dir with space", "é"]),
        ("a\nb", ["a\nb"]),
    ] as [(String, [String])])
    func accepts(path: String, components: [String]) throws {
        #expect(try ManifestPath.validate(path).map(String.init) == components)
    }

    @Test("rejects paths that could escape the target directory", arguments: [
        ("", "empty path"),
        ("/etc/passwd", "absolute path"),
        ("/", "absolute path"),
        ("..", "'..' component"),
        ("../x", "'..' component"),
        ("base/../../x", "'..' component"),
        ("base/..", "'..' component"),
        (".", "'.' component"),
        ("./base", "'.' component"),
        ("base/./1", "'.' component"),
        ("a//b", "empty component"),
        ("base/", "trailing '/'"),
        ("a\\..\\b", "contains a backslash"),
        ("a\\b", "contains a backslash"),
        ("a\0b", "contains a NUL byte"),
        ("../\u{301}x", "'..' component"),       // a combining mark must not hide the separator
        ("/\u{301}etc/passwd", "absolute path"),
        ("a/\u{301}/..", "'..' component"),
    ])
    func rejects(path: String, why: String) {
        let error = #expect(throws: LifeboatError.self) { try ManifestPath.validate(path) }
        #expect(error?.code == .unsafePath)
        let shown = path.replacingNUL()
        #expect(error?.message == "unsafe path '\(shown)' in backup manifest: \(why)")
        #expect(error?.hint == "the manifest may have been tampered with; do not restore from it and run `lifeboat verify`")
    }

    @Test("a combining mark after '/' still splits components")
    func combiningMark() throws {
        #expect(try ManifestPath.validate("a/\u{301}b").map { Array($0.utf8) } == [Array("a".utf8), Array("\u{301}b".utf8)])
    }
}

extension String {
    fileprivate func replacingNUL() -> String {
        String(unicodeScalars.map { $0 == "\0" ? "\\u{0}" : String($0) }.joined())
    }
}
