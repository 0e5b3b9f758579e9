import Foundation
@testable import MingleApp
import Testing

/// Session times are written by hand (no DateFormatter per call); they read exactly as
/// Foundation's en_GB formatter writes them, in every offered zone, across DST changes.
@Suite struct LocalTimeTests {
    /// The reference: what the pages showed before, with a DateFormatter.
    func reference(_ format: String, _ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        formatter.calendar = calendar
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    @Test func matchesTheFormatterInEveryZoneThroughTheYear() {
        // setup: every 97 hours and 13 minutes through 2026 and into 2027 (all months, weekdays,
        // hours, both sides of each DST change), in every zone the form offers
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
        let instants = (0..<100).map { start.addingTimeInterval(Double($0) * (97 * 3600 + 13 * 60)) }

        for identifier in LocalTime.allZones {
            let zone = LocalTime.zone(identifier)
            for date in instants {
                // act
                let short = LocalTime.short(date, in: zone)
                let input = LocalTime.inputValue(date, in: zone)
                let described = LocalTime.describe(start: date, end: date.addingTimeInterval(5400), in: zone)

                // check
                #expect(short == reference("EEE d MMM yyyy, HH:mm", date, zone), "\(identifier) \(date)")
                #expect(input == reference("yyyy-MM-dd'T'HH:mm", date, zone), "\(identifier) \(date)")
                let day = reference("EEEE d MMMM yyyy", date, zone), endDate = date.addingTimeInterval(5400)
                let endDay = reference("EEEE d MMMM yyyy", endDate, zone)
                let time = reference("HH:mm", date, zone), endTime = reference("HH:mm", endDate, zone)
                let range = day == endDay ? "\(day), \(time)–\(endTime)" : "\(day), \(time) – \(endDay), \(endTime)"
                #expect(described == "\(range) (\(LocalTime.label(zone, at: date)))", "\(identifier) \(date)")
            }
        }
    }

    @Test func readsAsPeopleWriteIt() {
        // setup
        let paris = LocalTime.zone("Europe/Paris")
        guard case .instant(let start) = LocalTime.parse("2026-05-14T18:00", in: paris),
              case .instant(let overMidnight) = LocalTime.parse("2026-05-14T23:30", in: paris) else {
            Issue.record("the example times did not parse")
            return
        }

        // act + check
        #expect(LocalTime.describe(start: start, end: start.addingTimeInterval(3600), in: paris)
                == "Thursday 14 May 2026, 18:00–19:00 (Europe/Paris, UTC+02:00)")
        #expect(LocalTime.describe(start: overMidnight, end: overMidnight.addingTimeInterval(3600), in: paris)
                == "Thursday 14 May 2026, 23:30 – Friday 15 May 2026, 00:30 (Europe/Paris, UTC+02:00)")
        #expect(LocalTime.short(start, in: paris) == "Thu 14 May 2026, 18:00")
        #expect(LocalTime.inputValue(start, in: paris) == "2026-05-14T18:00")
    }
}
