import Foundation

/// Session times as people write and read them: a `datetime-local` value in a chosen IANA
/// zone in, a UTC instant stored, and the same zone's wall-clock time out again.
enum LocalTime {
    /// Every zone the server knows (IANA region names and UTC), for the selects of the session
    /// form, the site's default and a person's account.
    /// (Foundation's list lacks some names browsers send, such as Asia/Kolkata: `choices` adds
    /// the one chosen.)
    static let allZones: [String] = (TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") } + ["UTC"]).sorted()

    /// The zones to offer with `selected` among them.
    static func choices(selected: String) -> [String] {
        allZones.contains(selected) || known(selected) == nil ? allZones : (allZones + [selected]).sorted()
    }

    /// The zone of a name from outside (a browser, a form): an IANA region name ("Europe/Paris",
    /// "America/Argentina/Buenos_Aires") or UTC that the system's zone data knows; nil for
    /// anything else (abbreviations such as "EST" and offsets such as "GMT+5" included).
    static func known(_ identifier: String?) -> TimeZone? {
        guard let identifier, identifier.utf8.count <= 64 else { return nil }
        if identifier == "UTC" { return TimeZone(identifier: "UTC") }
        guard identifier.range(of: #"^[A-Z][A-Za-z_]+(/[A-Za-z][A-Za-z0-9_+\-]*){1,2}$"#, options: .regularExpression) != nil
        else { return nil }
        return TimeZone(identifier: identifier)
    }

    /// The IANA name of a zone as people and browsers write it: Foundation on Linux calls UTC "GMT".
    static func name(_ zone: TimeZone) -> String {
        zone.identifier == "GMT" || zone.identifier == "UTC" ? "UTC" : zone.identifier
    }

    /// The zone of a stored identifier; UTC for anything unknown.
    static func zone(_ identifier: String) -> TimeZone {
        TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
    }

    enum ParseResult: Equatable {
        case instant(Date)
        /// Not of the form `YYYY-MM-DDTHH:MM`.
        case malformed
        /// A wall-clock time the zone skips (clocks go forward).
        case skipped
    }

    /// Reads `2026-05-14T18:30` (seconds allowed) as a time in `zone`. A time the zone skips
    /// is refused rather than moved; of a repeated hour, the first is taken.
    static func parse(_ text: String, in zone: TimeZone) -> ParseResult {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$"#
        guard let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex else {
            return .malformed
        }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 5 else { return .malformed }
        var parts = DateComponents()
        (parts.year, parts.month, parts.day, parts.hour, parts.minute) = (digits[0], digits[1], digits[2], digits[3], digits[4])
        parts.second = digits.count > 5 ? digits[5] : 0
        guard (1...12).contains(digits[1]), (1...31).contains(digits[2]), (0...23).contains(digits[3]),
              (0...59).contains(digits[4]), (0...59).contains(parts.second!), (1970...9999).contains(digits[0]) else {
            return .malformed
        }
        let calendar = calendar(zone)
        guard let date = calendar.date(from: parts) else { return .malformed }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard back.year == parts.year, back.month == parts.month, back.day == parts.day else { return .malformed }
        guard back.hour == parts.hour, back.minute == parts.minute else { return .skipped }
        return .instant(date)
    }

    /// The `datetime-local` value of `date` in `zone`, to fill a form again.
    static func inputValue(_ date: Date, in zone: TimeZone) -> String {
        let t = WallClock(date, zone)
        return "\(t.year)-\(two(t.month))-\(two(t.day))T\(t.time)"
    }

    /// "Tuesday 14 May 2026, 18:00–19:00 (Europe/Paris, UTC+02:00)"; a session over midnight
    /// names both days.
    static func describe(start: Date, end: Date, in zone: TimeZone) -> String {
        let from = WallClock(start, zone), to = WallClock(end, zone)
        let range = from.longDay == to.longDay
            ? "\(from.longDay), \(from.time)–\(to.time)"
            : "\(from.longDay), \(from.time) – \(to.longDay), \(to.time)"
        return "\(range) (\(label(zone, at: start)))"
    }

    /// "Tue 14 May 2026, 18:00" in `zone`, for subjects and short lists.
    static func short(_ date: Date, in zone: TimeZone) -> String {
        let t = WallClock(date, zone)
        return "\(weekdays[t.weekday - 1].prefix(3)) \(t.day) \(months[t.month - 1].prefix(3)) \(t.year), \(t.time)"
    }

    /// "Tue 14 May 2026, 18:00 (Europe/Paris, UTC+02:00)".
    static func shortWithZone(_ date: Date, in zone: TimeZone) -> String {
        "\(short(date, in: zone)) (\(label(zone, at: date)))"
    }

    /// "14 May 2026" in `zone`, for dates in lists.
    static func day(_ date: Date, in zone: TimeZone) -> String {
        let t = WallClock(date, zone)
        return "\(t.day) \(months[t.month - 1].prefix(3)) \(t.year)"
    }

    /// "14 May 2026, 18:05" in `zone`, for stamps in lists (the page names the zone once).
    static func dateTime(_ date: Date, in zone: TimeZone, seconds: Bool = false) -> String {
        let t = WallClock(date, zone)
        return "\(t.day) \(months[t.month - 1].prefix(3)) \(t.year), \(t.time)\(seconds ? ":" + two(t.second) : "")"
    }

    /// "18:05" in `zone`.
    static func time(_ date: Date, in zone: TimeZone) -> String { WallClock(date, zone).time }

    /// "UTC" or "Europe/Paris, UTC+02:00" (the offset in force at `date`).
    static func label(_ zone: TimeZone, at date: Date) -> String {
        if zone.identifier == "UTC" || zone.identifier == "GMT" { return "UTC" }
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) / 60 % 60
        return "\(zone.identifier), UTC\(sign)\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    // British English, as the pages are written; by hand rather than with a DateFormatter,
    // whose creation cost most of a report page's CPU (issue 13).
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The wall-clock reading of an instant in a zone.
    private struct WallClock {
        var year, month, day, weekday, hour, minute, second: Int

        init(_ date: Date, _ zone: TimeZone) {
            let c = LocalTime.calendar(zone).dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: date)
            (year, month, day, weekday) = (c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.weekday ?? 1)
            (hour, minute, second) = (c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        }

        /// "Tuesday 14 May 2026"
        var longDay: String { "\(LocalTime.weekdays[weekday - 1]) \(day) \(LocalTime.months[month - 1]) \(year)" }
        /// "18:05"
        var time: String { "\(LocalTime.two(hour)):\(LocalTime.two(minute))" }
    }
}
