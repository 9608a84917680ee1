import Foundation

/// Reads and writes the timestamp texts Lifeboat deals with, without Foundation's locale- and
/// time-zone-dependent formatters (the core has no access to the machine's clock or zone).
enum TimestampText {
    /// Parses "YYYY-MM-DD[ T]HH:MM:SS[.f{1,maxFractionDigits}][ ][zone]" where zone is "Z", "UTC",
    /// "+HH", "+HHMM" or "+HH:MM" (or "-"). Without a zone, `defaultOffsetSeconds` applies; when that
    /// is nil a zone is required. Returns nil for anything else, including out-of-range fields.
    static func parse(_ text: String, maxFractionDigits: Int, defaultOffsetSeconds: Int?) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), scanner.skip(" ") || scanner.skip("T"),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), scanner.skip(":"),
            let second = scanner.number(digits: 2)
        else { return nil }

        var microsecond: Int64 = 0
        if scanner.skip(".") {
            let digits = scanner.digits()
            guard (1...maxFractionDigits).contains(digits.count) else { return nil }
            // Digits beyond the sixth (only allowed for manifests) are below PostgreSQL's resolution.
            let padded = (digits + Array(repeating: UInt8(ascii: "0"), count: 6)).prefix(6)
            microsecond = padded.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }

        let hadSpace = scanner.skip(" ")
        let offset: Int64
        if scanner.atEnd {
            guard !hadSpace, let defaultOffsetSeconds else { return nil }
            offset = Int64(defaultOffsetSeconds)
        } else if scanner.skip("Z") || scanner.skip("z") || scanner.skipCaseInsensitive("UTC") {
            offset = 0
        } else if let sign: Int64 = scanner.skip("+") ? 1 : scanner.skip("-") ? -1 : nil {
            guard let hours = scanner.number(digits: 2), hours <= 15 else { return nil }
            var minutes: Int64 = 0
            if scanner.skip(":") {
                guard let m = scanner.number(digits: 2) else { return nil }
                minutes = m
            } else if !scanner.atEnd {
                guard let m = scanner.number(digits: 2) else { return nil }
                minutes = m
            }
            guard minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }

        guard (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let civil = CivilTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: 0)
        let seconds = civil.epochSeconds - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(microsecond) / 1_000_000)
    }

    /// "2026-11-21T10:00:00.123456Z": ISO-8601 in UTC with microseconds, for Lifeboat's JSON.
    static func iso8601(_ date: Date) -> String {
        let civil = CivilTime(date)
        return civil.format(separator: "T") + "." + civil.microsecondText + "Z"
    }

    /// A cursor over ASCII bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var atEnd: Bool { position == bytes.count }

        mutating func skip(_ literal: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: literal) else { return false }
            position += 1
            return true
        }

        mutating func skipCaseInsensitive(_ word: String) -> Bool {
            let wanted = Array(word.lowercased().utf8)
            guard bytes.count - position >= wanted.count else { return false }
            let candidate = bytes[position..<position + wanted.count].map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
            guard candidate == wanted else { return false }
            position += wanted.count
            return true
        }

        /// Exactly `digits` ASCII digits.
        mutating func number(digits count: Int) -> Int64? {
            guard bytes.count - position >= count else { return nil }
            let slice = bytes[position..<position + count]
            guard slice.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            position += count
            return slice.reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }

        /// All consecutive ASCII digits (possibly none).
        mutating func digits() -> [UInt8] {
            let start = position
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
            return Array(bytes[start..<position])
        }
    }
}
