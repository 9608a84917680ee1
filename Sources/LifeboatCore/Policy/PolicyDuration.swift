/// A duration as written in a configuration: `30s`, `15m`, `1h`, `2d`, `1w`, combinations like
/// `1h30m`, or a bare number of seconds. Used for `rto`, `rpo`, `backup-max-age`, `drill-max-age`.
public struct PolicyDuration: Sendable, Equatable, Comparable, Codable, CustomStringConvertible {
    public let seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    static let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// Parses `text` for the option `option` (named in the error). Rejects empty text, unknown units,
    /// a unit without a number, repeated or out-of-order units (`1m1h`). Zero is allowed (an RPO of zero
    /// is a target a business may write down).
    public static func parse(_ text: String, option: String) throws(LifeboatError) -> PolicyDuration {
        let trimmed = text.trimmingWhitespace().lowercased()
        let invalid = LifeboatError(
            .invalidArgument, "invalid \(option) '\(text)': expected a duration such as 30s, 15m, 1h, 1h30m or 2d",
            hint: "units: s (seconds), m (minutes), h (hours), d (days), w (weeks); a bare number is seconds")
        guard !trimmed.isEmpty else { throw invalid }
        if trimmed.allSatisfy(\.isASCIIDigit) {
            guard let value = Double(trimmed) else { throw invalid }
            return PolicyDuration(seconds: value)
        }
        var total = 0.0
        var digits = ""
        var lastUnitSize = Double.infinity
        for character in trimmed {
            if character.isASCIIDigit {
                digits.append(character)
                continue
            }
            guard let size = units[character], !digits.isEmpty, size < lastUnitSize, let value = Double(digits) else { throw invalid }
            total += value * size
            lastUnitSize = size
            digits = ""
        }
        guard digits.isEmpty else { throw invalid }
        return PolicyDuration(seconds: total)
    }

    /// The shortest exact text: "1h30m", "45s", "2d".
    public var description: String { Self.format(seconds) }

    /// Any number of seconds as "1h2m3s" (whole seconds, rounded), "0s" for zero or less.
    public static func format(_ seconds: Double) -> String {
        var rest = Int64(seconds.rounded())
        guard rest > 0 else { return "0s" }
        var text = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    public static func < (lhs: PolicyDuration, rhs: PolicyDuration) -> Bool { lhs.seconds < rhs.seconds }

    public init(from decoder: any Decoder) throws {
        seconds = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
