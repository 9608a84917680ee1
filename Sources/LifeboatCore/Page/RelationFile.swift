/// A relation data file's name: `<relfilenode>[_<fork>][.<segment>]`, as PostgreSQL names the files
/// of a table or index fork under base/<db>/, global/ and pg_tblspc/<oid>/PG_…/<db>/.
///
/// Forks are split into 1 GiB segment files; the checksum of a page uses its block number within the
/// whole fork, so a file's segment number matters (`blockNumber`).
public struct RelationFile: Hashable, Sendable {
    /// Pages per 1 GiB segment file (RELSEG_SIZE with 8 KiB blocks).
    public static let pagesPerSegment: UInt32 = 131_072

    public enum Fork: String, Hashable, Sendable {
        case main, fsm, vm, initialization = "init"
    }

    public let relfilenode: UInt32
    public let fork: Fork
    public let segment: UInt32

    /// Parses the last path component of `path` and checks that the file sits where relation files
    /// live (global/, base/<oid>/, pg_tblspc/<oid>/<version dir>/<oid>/). Nil for anything else
    /// (pg_control, PG_VERSION, pg_filenode.map, temp files like t3_1234, …).
    public init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.last else { return nil }
        let directory = Array(parts.dropLast())
        let isDigits: (String) -> Bool = { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        switch directory.count {
        case 1 where directory[0] == "global": break
        case 2 where directory[0] == "base" && isDigits(directory[1]): break
        case 4 where directory[0] == "pg_tblspc" && isDigits(directory[1]) && isDigits(directory[3]): break
        default: return nil
        }
        self.init(fileName: name)
    }

    /// Parses just a file name.
    public init?(fileName: String) {
        var rest = Substring(fileName)
        var segment: UInt32 = 0
        if let dot = rest.firstIndex(of: ".") {
            let digits = rest[rest.index(after: dot)...]
            guard Self.isNumber(digits), let value = UInt32(digits), value > 0 else { return nil }
            segment = value
            rest = rest[..<dot]
        }
        var fork = Fork.main
        if let underscore = rest.firstIndex(of: "_") {
            guard let named = Fork(rawValue: String(rest[rest.index(after: underscore)...])), named != .main else { return nil }
            fork = named
            rest = rest[..<underscore]
        }
        guard Self.isNumber(rest), let node = UInt32(rest), node > 0 else { return nil }
        self.relfilenode = node
        self.fork = fork
        self.segment = segment
    }

    /// The fork-wide block number of the page at `pageIndex` in this segment file.
    public func blockNumber(pageIndex: UInt32) -> UInt32 {
        segment &* Self.pagesPerSegment &+ pageIndex
    }

    /// Digits only, no leading zero (PostgreSQL never writes one, and "07" must not alias "7").
    private static func isNumber(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, first != 48 || text.utf8.count == 1 else { return false }
        return text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
