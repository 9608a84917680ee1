import Foundation
import LifeboatCore

/// A UTC timestamp from its text, for readable fixtures.
func utc(_ text: String) -> Date {
    do {
        return try TargetTime.parse(text, defaultOffsetSeconds: 0)
    } catch {
        fatalError("bad fixture time \(text): \(error)")
    }
}

func lsn(_ text: String) -> LSN {
    guard let value = LSN(text) else { fatalError("bad fixture LSN \(text)") }
    return value
}
