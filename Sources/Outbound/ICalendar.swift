import Foundation

/// One session as a calendar event: the input of `ICalendar`'s invitations and feeds.
public struct CalendarEvent: Sendable, Equatable {
    /// Stable per session, e.g. "<session uuid>@<tenant host>"; the same in every invitation,
    /// update, cancellation and feed entry, so calendars replace the event instead of adding one.
    public var uid: String
    /// Bumped by the caller on every change (a cancellation is a change too).
    public var sequence: Int
    public var start: Date
    public var end: Date
    public var summary: String
    /// Omitted from the output when empty.
    public var description: String
    /// The live room.
    public var url: String?
    public var organizerName: String
    public var organizerEmail: String
    /// The invited member, for invitations (METHOD:REQUEST/CANCEL); nil in feeds.
    public var attendeeEmail: String?
    /// STATUS:CANCELLED instead of STATUS:CONFIRMED.
    public var cancelled: Bool
    /// DTSTAMP: when this version of the event was written.
    public var stamp: Date

    public init(uid: String, sequence: Int, start: Date, end: Date, summary: String,
                description: String = "", url: String? = nil, organizerName: String,
                organizerEmail: String, attendeeEmail: String? = nil, cancelled: Bool = false,
                stamp: Date) {
        self.uid = uid
        self.sequence = sequence
        self.start = start
        self.end = end
        self.summary = summary
        self.description = description
        self.url = url
        self.organizerName = organizerName
        self.organizerEmail = organizerEmail
        self.attendeeEmail = attendeeEmail
        self.cancelled = cancelled
        self.stamp = stamp
    }
}

/// Writes RFC 5545 iCalendar objects: invitations (RFC 5546 REQUEST / CANCEL) and the
/// members' private feeds (PUBLISH). Pure: no I/O, no formatter state.
///
/// The output uses CRLF line endings, folds content lines at 75 UTF-8 octets without
/// splitting a character, escapes TEXT values and quotes parameter values where needed.
public enum ICalendar {
    /// The iTIP method of an invitation.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        case request = "REQUEST"
        case cancel = "CANCEL"
    }

    /// The media type to send invitations and feeds with; add `; method=REQUEST` (or CANCEL)
    /// for an invitation's MIME part.
    public static let contentType = "text/calendar; charset=utf-8"

    /// A one-event calendar for one member. A `.cancel` always says STATUS:CANCELLED; the
    /// caller passes the same UID and a higher SEQUENCE than the last invitation sent.
    /// `reminderMinutes` adds a display VALARM that many minutes before the start to a
    /// `.request` (nil: no alarm).
    public static func invitation(_ event: CalendarEvent, method: Method, productID: String,
                                  reminderMinutes: Int? = 15) -> String {
        var lines = header(productID: productID, method: method.rawValue)
        let cancelled = method == .cancel || event.cancelled
        lines += vevent(event, attendee: .invitation(method), cancelled: cancelled,
                        reminderMinutes: method == .request && !cancelled ? reminderMinutes : nil)
        lines.append("END:VCALENDAR")
        return serialize(lines)
    }

    /// A member's calendar feed of their upcoming sessions (METHOD:PUBLISH, X-WR-CALNAME).
    public static func feed(_ events: [CalendarEvent], name: String, productID: String) -> String {
        var lines = header(productID: productID, method: "PUBLISH")
        lines.append("X-WR-CALNAME:" + escapeText(name))
        for event in events {
            lines += vevent(event, attendee: .feed, cancelled: event.cancelled, reminderMinutes: nil)
        }
        lines.append("END:VCALENDAR")
        return serialize(lines)
    }

    // MARK: - Components

    private enum AttendeeStyle {
        case invitation(Method)
        case feed
    }

    private static func header(productID: String, method: String) -> [String] {
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:" + escapeText(productID),
            "CALSCALE:GREGORIAN",
            "METHOD:" + method,
        ]
    }

    private static func vevent(_ event: CalendarEvent, attendee style: AttendeeStyle, cancelled: Bool,
                               reminderMinutes: Int?) -> [String] {
        var lines = [
            "BEGIN:VEVENT",
            "UID:" + escapeText(event.uid),
            "SEQUENCE:\(max(0, event.sequence))",
            "DTSTAMP:" + utc(event.stamp),
            "DTSTART:" + utc(event.start),
            "DTEND:" + utc(event.end),
            "SUMMARY:" + escapeText(event.summary),
        ]
        if !event.description.isEmpty {
            lines.append("DESCRIPTION:" + escapeText(event.description))
        }
        if let url = event.url.map(uri), !url.isEmpty {
            lines.append("URL:" + url)
        }
        lines.append("ORGANIZER;CN=" + parameterValue(event.organizerName) + ":" + mailto(event.organizerEmail))
        if let email = event.attendeeEmail {
            switch style {
            case .invitation(.request):
                lines.append("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + mailto(email))
            case .invitation(.cancel), .feed:
                lines.append("ATTENDEE:" + mailto(email))
            }
        }
        lines.append(cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED")
        if let minutes = reminderMinutes {
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "DESCRIPTION:" + escapeText(event.summary),
                "TRIGGER:-PT\(max(0, minutes))M",
                "END:VALARM",
            ]
        }
        lines.append("END:VEVENT")
        return lines
    }

    // MARK: - Values

    /// A UTC DATE-TIME, `YYYYMMDDTHHMMSSZ`; fractions of a second are dropped.
    static func utc(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86_400
        var seconds = total % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        // Days since 1970-01-01 to a proleptic Gregorian civil date (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T"
            + pad(seconds / 3_600, 2) + pad(seconds / 60 % 60, 2) + pad(seconds % 60, 2) + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line
    /// break (CRLF, CR or LF) as `\n`, other control characters (but tab) dropped.
    static func escapeText(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case ";": out.append(contentsOf: "\\;".unicodeScalars)
            case ",": out.append(contentsOf: "\\,".unicodeScalars)
            case "\r": out.append(contentsOf: "\\n".unicodeScalars)
            case "\n": if !previousWasCR { out.append(contentsOf: "\\n".unicodeScalars) }
            case "\t": out.append(scalar)
            default: if !isControl(scalar) { out.append(scalar) }
            }
        }
        return String(out)
    }

    /// A parameter value (RFC 5545 §3.1): double quotes and control characters removed,
    /// quoted when it holds `:`, `;` or `,`.
    static func parameterValue(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where scalar != "\"" && !isControl(scalar) {
            scalars.append(scalar == "\t" ? " " : scalar)
        }
        let cleaned = String(scalars)
        return cleaned.contains(where: { $0 == ":" || $0 == ";" || $0 == "," }) ? "\"" + cleaned + "\"" : cleaned
    }

    /// A URI value: not escaped, but stripped of control characters and spaces so it can
    /// never break out of its line.
    private static func uri(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where !isControl(scalar) && scalar != " " && scalar != "\t" {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    private static func mailto(_ email: String) -> String {
        "mailto:" + uri(email)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }

    // MARK: - Lines

    private static func serialize(_ lines: [String]) -> String {
        var out = ""
        for line in lines {
            out += fold(line)
            out += "\r\n"
        }
        return out
    }

    /// Folds one content line (RFC 5545 §3.1): at most 75 octets a line, CRLF excluded;
    /// continuation lines begin with one space. Breaks fall between characters (grapheme
    /// clusters) and, only for a cluster too long for a line, between Unicode scalars, so
    /// a multi-byte UTF-8 sequence is never split.
    static func fold(_ line: String, limit: Int = 75) -> String {
        guard line.utf8.count > limit else { return line }
        var out = ""
        var used = 0
        func append(_ piece: String, octets: Int) {
            if used + octets > limit {
                out += "\r\n "
                used = 1
            }
            out += piece
            used += octets
        }
        for character in line {
            let octets = character.utf8.count
            if octets <= limit - 1 {
                append(String(character), octets: octets)
            } else {
                for scalar in character.unicodeScalars {
                    append(String(scalar), octets: String(scalar).utf8.count)
                }
            }
        }
        return out
    }
}
