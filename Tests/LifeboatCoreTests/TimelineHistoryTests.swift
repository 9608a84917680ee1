import LifeboatCore
import Testing

@Suite("TimelineHistory")
struct TimelineHistoryTests {
    /// What PostgreSQL writes for timeline 4 after three promotions: the parent's lines, a blank
    /// line, then the new entry (writeTimeLineHistory).
    static let timeline4 = """
        1\t0/3000148\tno recovery target specified

        2\t0/50000A0\tbefore 2026-11-21 10:00:00.123456+00

        3\t1/2000000\tat restore point "before upgrade"

        """

    @Test("parses PostgreSQL's history format")
    func parsesRealFile() throws {
        let history = try TimelineHistory(timeline: 4, parsing: Self.timeline4)
        #expect(history.timeline == 4)
        #expect(history.entries == [
            .init(parentTimeline: 1, switchPoint: LSN("0/3000148")!, reason: "no recovery target specified"),
            .init(parentTimeline: 2, switchPoint: LSN("0/50000A0")!, reason: "before 2026-11-21 10:00:00.123456+00"),
            .init(parentTimeline: 3, switchPoint: LSN("1/2000000")!, reason: "at restore point \"before upgrade\""),
        ])
    }

    @Test("a single-line history, as after the first promotion")
    func singleLine() throws {
        let history = try TimelineHistory(timeline: 2, parsing: "1\t0/3000148\tno recovery target specified\n")
        #expect(history.entries.count == 1)
        #expect(history.entries[0].parentTimeline == 1)
        #expect(history.entries[0].switchPoint == LSN(rawValue: 0x300_0148))
        #expect(history.text == "1\t0/3000148\tno recovery target specified\n")
    }

    @Test("ignores blank and comment lines, accepts spaces, CRLF and an empty reason")
    func lenientLayout() throws {
        let text = "# written by hand\r\n\r\n   \t\n  1   0/3000148\r\n#2\t0/4000000\tcomment\n2\t0/5000000\t  after transaction 742  \n"
        let history = try TimelineHistory(timeline: 3, parsing: text)
        #expect(history.entries == [
            .init(parentTimeline: 1, switchPoint: LSN("0/3000148")!, reason: ""),
            .init(parentTimeline: 2, switchPoint: LSN("0/5000000")!, reason: "after transaction 742"),
        ])
    }

    @Test("an empty file has no entries")
    func empty() throws {
        #expect(try TimelineHistory(timeline: 1, parsing: "").entries.isEmpty)
        #expect(try TimelineHistory(timeline: 1, parsing: "\n\n# nothing\n").entries.isEmpty)
    }

    @Test("malformed lines throw .parse naming the line", arguments: [
        ("x\t0/3000148\treason", 1, "expected a numeric timeline ID"),
        ("1", 1, "expected a switch point LSN"),
        ("1\t", 1, "expected a switch point LSN"),
        ("1\tnot-an-lsn\treason", 1, "expected a switch point LSN"),
        ("1\t0/3000148\n\n1\t0/4000000", 3, "timeline IDs must be in increasing sequence"),
        ("1\t0/3000148\n5\t0/4000000", 2, "timeline IDs must be less than the child timeline 4"),
        ("-1\t0/3000148", 1, "expected a numeric timeline ID"),
        ("0\t0/3000148", 1, "expected a numeric timeline ID"),
        ("99999999999\t0/3000148", 1, "expected a numeric timeline ID"),
        ("1/0/3000148", 1, "expected a numeric timeline ID"),
    ] as [(String, Int, String)])
    func malformed(text: String, line: Int, why: String) {
        let error = #expect(throws: LifeboatError.self) { try TimelineHistory(timeline: 4, parsing: text) }
        #expect(error?.code == .parse)
        let offending = text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
        #expect(error?.message == "malformed line \(line) in timeline history '00000004.history': \(why): '\(offending)'")
        #expect(error?.hint == "the file may be corrupt; compare it with pg_wal/00000004.history on the server")
    }

    @Test("locates the timeline of an LSN; a switch point belongs to the child", arguments: [
        ("0/0", 1), ("0/3000147", 1), ("0/3000148", 2), ("0/500009F", 2), ("0/50000A0", 3),
        ("0/FFFFFFFF", 3), ("1/2000000", 4), ("FFFFFFFF/FFFFFFFF", 4),
    ] as [(String, UInt32)])
    func timelineContaining(lsn: String, timeline: UInt32) throws {
        let history = try TimelineHistory(timeline: 4, parsing: Self.timeline4)
        #expect(history.timeline(containing: LSN(lsn)!) == timeline)
    }

    @Test("with no entries every LSN is on the history's own timeline")
    func noEntries() {
        #expect(TimelineHistory(timeline: 1, entries: []).timeline(containing: LSN(rawValue: 123)) == 1)
    }
}
