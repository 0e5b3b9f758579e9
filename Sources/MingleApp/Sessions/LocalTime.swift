import Foundation

/// Session times as people write and read them: a `datetime-local` value in a chosen IANA
/// zone in, a UTC instant stored, and the same zone's wall-clock time out again.
enum LocalTime {
    /// The zones the organizer's form offers (UTC first, the default).
    static let zones = [
        "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
        "Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens",
        "Europe/Helsinki", "Europe/Istanbul", "Europe/Kyiv", "Europe/Moscow", "Africa/Lagos", "Africa/Cairo",
        "Africa/Nairobi", "Africa/Johannesburg", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Bangkok",
        "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth",
        "Australia/Sydney", "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York",
        "America/Toronto", "America/Chicago", "America/Mexico_City", "America/Denver", "America/Phoenix",
        "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Bogota", "America/Lima",
        "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    ]

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
        var year, month, day, weekday, hour, minute: Int

        init(_ date: Date, _ zone: TimeZone) {
            let c = LocalTime.calendar(zone).dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
            (year, month, day, weekday) = (c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.weekday ?? 1)
            (hour, minute) = (c.hour ?? 0, c.minute ?? 0)
        }

        /// "Tuesday 14 May 2026"
        var longDay: String { "\(LocalTime.weekdays[weekday - 1]) \(day) \(LocalTime.months[month - 1]) \(year)" }
        /// "18:05"
        var time: String { "\(LocalTime.two(hour)):\(LocalTime.two(minute))" }
    }
}
