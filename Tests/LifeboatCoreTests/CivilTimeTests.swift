import Foundation
import Testing

@testable import LifeboatCore

@Suite("CivilTime (internal UTC calendar)")
struct CivilTimeTests {
    @Test("day numbers and dates are inverse over four centuries around the epoch")
    func inverse() {
        var expected = (year: Int64(1800), month: Int64(1), day: Int64(1))
        let first = CivilTime.daysSinceEpoch(year: 1800, month: 1, day: 1)
        for days in first...(first + 146_097 * 2) {
            let date = CivilTime.date(daysSinceEpoch: days)
            #expect(date == expected)
            if date != expected { return }
            #expect(CivilTime.daysSinceEpoch(year: date.year, month: date.month, day: date.day) == days)
            // Advance `expected` by one calendar day, independently of the algorithm under test.
            expected.day += 1
            if expected.day > CivilTime.daysInMonth(year: expected.year, month: expected.month) {
                expected.day = 1
                expected.month += 1
                if expected.month > 12 {
                    expected.month = 1
                    expected.year += 1
                }
            }
        }
    }

    @Test("leap years")
    func leapYears() {
        #expect(CivilTime.isLeapYear(2024))
        #expect(CivilTime.isLeapYear(2000))
        #expect(!CivilTime.isLeapYear(1900))
        #expect(!CivilTime.isLeapYear(2026))
        #expect(CivilTime.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
    }

    @Test("ISO-8601 text for the manifest")
    func iso8601() {
        #expect(TimestampText.iso8601(Date(timeIntervalSince1970: 1_795_264_496.25)) == "2026-11-21T12:34:56.250000Z")
        #expect(TimestampText.iso8601(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750000Z")
    }
}
