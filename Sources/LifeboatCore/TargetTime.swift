import Foundation

/// Parses what a DBA types for `--target-time` and formats times for PostgreSQL and humans.
public enum TargetTime {
    /// Accepts "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SS", optional fraction ".f" up to 6 digits,
    /// optional zone: "Z", " UTC", "+HH", "+HHMM", "+HH:MM", "-HH:MM" (with or without a space before
    /// it). Without a zone, `defaultOffsetSeconds` (the local zone's offset, passed by the caller)
    /// applies. Validates ranges (month 1-12, day per month incl. leap years, hour<24, minute<60,
    /// second<60). Surrounding whitespace is ignored.
    public static func parse(_ text: String, defaultOffsetSeconds: Int) throws(LifeboatError) -> Date {
        let trimmed = text.trimmingWhitespace()
        guard let date = TimestampText.parse(trimmed, maxFractionDigits: 6, defaultOffsetSeconds: defaultOffsetSeconds)
        else {
            throw LifeboatError(
                .invalidArgument, "invalid target time '\(text)': expected YYYY-MM-DD HH:MM:SS[.ffffff][+ZZ]",
                hint: "for example --target-time '2026-11-21 12:34:56+00'; without a zone the local time zone applies")
        }
        return date
    }

    /// "2026-11-21 12:34:56.123456+00" (UTC, microseconds; what recovery_target_time accepts unambiguously)
    public static func postgresText(_ date: Date) -> String {
        let civil = CivilTime(date)
        return civil.format(separator: " ") + "." + civil.microsecondText + "+00"
    }

    /// "2026-11-21 12:34:56+00" (UTC, whole seconds, truncated) for human output
    public static func display(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return CivilTime(epochMicroseconds: seconds * 1_000_000).format(separator: " ") + "+00"
    }
}
