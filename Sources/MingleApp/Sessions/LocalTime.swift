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
        formatter("yyyy-MM-dd'T'HH:mm", zone).string(from: date)
    }

    /// "Tuesday 14 May 2026, 18:00–19:00 (Europe/Paris, UTC+02:00)"; a session over midnight
    /// names both days.
    static func describe(start: Date, end: Date, in zone: TimeZone) -> String {
        let day = formatter("EEEE d MMMM yyyy", zone), time = formatter("HH:mm", zone)
        let sameDay = day.string(from: start) == day.string(from: end)
        let range = sameDay
            ? "\(day.string(from: start)), \(time.string(from: start))–\(time.string(from: end))"
            : "\(day.string(from: start)), \(time.string(from: start)) – \(day.string(from: end)), \(time.string(from: end))"
        return "\(range) (\(label(zone, at: start)))"
    }

    /// "Tue 14 May 2026, 18:00" in `zone`, for subjects and short lists.
    static func short(_ date: Date, in zone: TimeZone) -> String {
        formatter("EEE d MMM yyyy, HH:mm", zone).string(from: date)
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

    private static func formatter(_ format: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.calendar = calendar(zone)
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }
}
