#if canImport(Glibc)
import Glibc
#endif
import Foundation

enum WallClock {
    /// A backup label like pgBackRest's, from the UTC start time: "20261121-120304F".
    static func backupLabel(_ date: Date, suffix: String) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "-"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + suffix
    }
}
