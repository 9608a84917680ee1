/// A timeline history file, "NNNNNNNN.history", written by PostgreSQL at promotion.
///
/// Each line is "parentTLI<TAB>switchpoint<TAB>reason": the parent timeline ended at `switchpoint`
/// and the next one (the following line's parent, or this file's timeline) began there.
/// The parser follows `readTimeLineHistory`: leading blanks skipped, blank and "#" lines ignored,
/// parent timelines strictly increasing and older than the file's own timeline.
public struct TimelineHistory: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let parentTimeline: UInt32
        public let switchPoint: LSN
        public let reason: String

        public init(parentTimeline: UInt32, switchPoint: LSN, reason: String) {
            self.parentTimeline = parentTimeline
            self.switchPoint = switchPoint
            self.reason = reason
        }
    }

    public let timeline: UInt32
    public let entries: [Entry]

    public init(timeline: UInt32, parsing text: String) throws(LifeboatError) {
        let fileName = Hex.upper(UInt64(timeline), width: 8) + ".history"
        var entries: [Entry] = []
        for (index, line) in TextLines.split(text).enumerated() {
            func failure(_ why: String) -> LifeboatError {
                LifeboatError(
                    .parse, "malformed line \(index + 1) in timeline history '\(fileName)': \(why): '\(line)'",
                    hint: "the file may be corrupt; compare it with pg_wal/\(fileName) on the server")
            }
            var rest = Array(line.utf8)[...]
            rest = rest.drop(while: TextLines.isBlank)
            if rest.isEmpty || rest.first == UInt8(ascii: "#") { continue }

            let tliText = rest.prefix(while: { !TextLines.isBlank($0) })
            rest = rest.dropFirst(tliText.count).drop(while: TextLines.isBlank)
            let lsnText = rest.prefix(while: { !TextLines.isBlank($0) })
            rest = rest.dropFirst(lsnText.count).drop(while: TextLines.isBlank)
            while let last = rest.last, TextLines.isBlank(last) { rest = rest.dropLast() }

            guard let parent = Self.decimalTimeline(tliText) else { throw failure("expected a numeric timeline ID") }
            guard let switchPoint = LSN(String(decoding: lsnText, as: UTF8.self)) else {
                throw failure("expected a switch point LSN")
            }
            if let previous = entries.last, parent <= previous.parentTimeline {
                throw failure("timeline IDs must be in increasing sequence")
            }
            guard parent < timeline else { throw failure("timeline IDs must be less than the child timeline \(timeline)") }
            entries.append(Entry(parentTimeline: parent, switchPoint: switchPoint, reason: String(decoding: rest, as: UTF8.self)))
        }
        self.timeline = timeline
        self.entries = entries
    }

    public init(timeline: UInt32, entries: [Entry]) {
        self.timeline = timeline
        self.entries = entries
    }

    /// The timeline an LSN was written on when following this history (PostgreSQL's
    /// `tliOfPointInHistory`): a switch point is the end of its parent, so it belongs to the child.
    public func timeline(containing lsn: LSN) -> UInt32 {
        for entry in entries where lsn < entry.switchPoint {
            return entry.parentTimeline
        }
        return timeline
    }

    /// The text PostgreSQL writes for these entries ("%u\t%X/%X\t%s\n", reason defaulting to empty).
    public var text: String {
        entries.map { "\($0.parentTimeline)\t\($0.switchPoint)\t\($0.reason)\n" }.joined()
    }

    private static func decimalTimeline(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        guard !bytes.isEmpty, bytes.count <= 10, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard let value = UInt32(String(decoding: bytes, as: UTF8.self)), value != 0 else { return nil }
        return value
    }
}
