import Foundation

/// `retention-window`: how far back a restore must stay possible, e.g. `90s`, `30min`, `12h`, `7d`, `4w`,
/// `6m`, `1y`. `m` is months (as in "keep 6m"); minutes are spelled `min` so the two never get confused.
///
/// Months and years are calendar months and years in UTC (6m before 31 August is 29 February or
/// 1 March, as the calendar says), so "keep six months" means what a compliance text means by it.
public struct RetentionWindow: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case seconds = "s", minutes = "min", hours = "h", days = "d", weeks = "w", months = "m", years = "y"
    }

    public let amount: Int
    public let unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `<positive whole number><s|min|h|d|w|m|y>`; `option` names the setting in the error
    /// (`repo2-retention-window` when that is where the value came from).
    public init(parsing text: String, option: String = "retention-window") throws(LifeboatError) {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard let unit = Unit(rawValue: String(trimmed.dropFirst(digits.count))),
              let amount = Int(digits), amount > 0, amount <= 100_000
        else {
            throw LifeboatError(
                .invalidArgument,
                "invalid \(option) '\(text)': expected a whole number followed by s, min, h, d, w, m or y",
                hint: "for example \(option) = 7d (days), 4w (weeks), 6m (months), 1y (years), 12h (hours), 30min (minutes) or 90s (seconds)")
        }
        self.init(amount: amount, unit: unit)
    }

    public var description: String { "\(amount)\(unit.rawValue)" }

    /// The first moment of the window that ends at `now`.
    public func start(endingAt now: Date) -> Date {
        switch unit {
        case .seconds: return now.addingTimeInterval(-Double(amount))
        case .minutes: return now.addingTimeInterval(-Double(amount) * 60)
        case .hours: return now.addingTimeInterval(-Double(amount) * 3600)
        case .days: return now.addingTimeInterval(-Double(amount) * 86400)
        case .weeks: return now.addingTimeInterval(-Double(amount) * 7 * 86400)
        case .months, .years:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let component: Calendar.Component = unit == .months ? .month : .year
            return calendar.date(byAdding: component, value: -amount, to: now) ?? .distantPast
        }
    }
}
