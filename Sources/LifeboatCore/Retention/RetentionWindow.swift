import Foundation

/// `retention-window`: how far back a restore must stay possible, e.g. `12h`, `7d`, `4w`, `6m`, `1y`.
///
/// Months and years are calendar months and years in UTC (6m before 31 August is 29 February or
/// 1 March, as the calendar says), so "keep six months" means what a compliance text means by it.
public struct RetentionWindow: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case hours = "h", days = "d", weeks = "w", months = "m", years = "y"
    }

    public let amount: Int
    public let unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `<positive whole number><h|d|w|m|y>`.
    public init(parsing text: String) throws(LifeboatError) {
        let trimmed = text.trimmingWhitespace()
        guard let last = trimmed.last, let unit = Unit(rawValue: String(last)),
              let amount = Int(trimmed.dropLast()), amount > 0, amount <= 100_000,
              trimmed.dropLast().allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            throw LifeboatError(
                .invalidArgument,
                "invalid retention-window '\(text)': expected a whole number followed by h, d, w, m or y",
                hint: "for example retention-window = 7d (days), 4w (weeks), 6m (months), 1y (years) or 12h (hours)")
        }
        self.init(amount: amount, unit: unit)
    }

    public var description: String { "\(amount)\(unit.rawValue)" }

    /// The first moment of the window that ends at `now`.
    public func start(endingAt now: Date) -> Date {
        switch unit {
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
