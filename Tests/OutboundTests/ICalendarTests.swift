import Foundation
import Outbound
import Testing

@Suite struct ICalendarTests {
    static let start = Date(timeIntervalSince1970: 1_718_294_400)  // 2024-06-13T16:00:00Z
    static let stamp = Date(timeIntervalSince1970: 1_709_622_489)  // 2024-03-05T07:08:09Z

    func event(uid: String = "5B1C0E6A-1F0D-4C56-9D3A-2E7F1A0B9C11@mingle.localhost", sequence: Int = 0,
               summary: String = "Speed networking", description: String = "Meet five people.",
               url: String? = "https://mingle.localhost/sessions/42/live",
               organizerName: String = "Mingle", attendee: String? = "ada@example.test",
               cancelled: Bool = false, startOffset: TimeInterval = 0) -> CalendarEvent {
        CalendarEvent(uid: uid, sequence: sequence, start: Self.start.addingTimeInterval(startOffset),
                      end: Self.start.addingTimeInterval(startOffset + 3_600), summary: summary,
                      description: description, url: url, organizerName: organizerName,
                      organizerEmail: "no-reply@mingle.localhost", attendeeEmail: attendee,
                      cancelled: cancelled, stamp: Self.stamp)
    }

    /// The content lines of an iCalendar text, unfolded (RFC 5545 §3.1).
    func unfoldedLines(_ text: String) -> [String] {
        var lines = text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The value of the first property `name` (parameters skipped) among unfolded lines.
    func value(_ name: String, in lines: [String]) -> String? {
        for line in lines where line.hasPrefix(name + ":") || line.hasPrefix(name + ";") {
            var inQuotes = false
            for index in line.indices {
                let character = line[index]
                if character == "\"" { inQuotes.toggle() }
                if character == ":" && !inQuotes { return String(line[line.index(after: index)...]) }
            }
        }
        return nil
    }

    /// Undoes TEXT escaping.
    func unescape(_ value: String) -> String {
        var out = ""
        var escaping = false
        for character in value {
            if escaping {
                out.append(character == "n" || character == "N" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    @Test("a simple invitation has exactly the expected lines")
    func simpleInvitationLines() {
        // setup
        let event = event(sequence: 2)

        // act
        let text = ICalendar.invitation(event, method: .request, productID: "-//Mingle//Sessions//EN")

        // check
        #expect(text.components(separatedBy: "\r\n") == [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Mingle//Sessions//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            "UID:5B1C0E6A-1F0D-4C56-9D3A-2E7F1A0B9C11@mingle.localhost",
            "SEQUENCE:2",
            "DTSTAMP:20240305T070809Z",
            "DTSTART:20240613T160000Z",
            "DTEND:20240613T170000Z",
            "SUMMARY:Speed networking",
            "DESCRIPTION:Meet five people.",
            "URL:https://mingle.localhost/sessions/42/live",
            "ORGANIZER;CN=Mingle:mailto:no-reply@mingle.localhost",
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ada@example.test",
            "STATUS:CONFIRMED",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:Speed networking",
            "TRIGGER:-PT15M",
            "END:VALARM",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ])
    }

    @Test("the reminder can be left out, and an event without URL or description has neither")
    func optionalParts() {
        // setup
        let event = event(description: "", url: nil)

        // act
        let lines = unfoldedLines(ICalendar.invitation(event, method: .request, productID: "-//Mingle//EN",
                                                       reminderMinutes: nil))

        // check
        #expect(!lines.contains("BEGIN:VALARM"))
        #expect(!lines.contains { $0.hasPrefix("URL") || $0.hasPrefix("DESCRIPTION") })
        #expect(lines.contains("SUMMARY:Speed networking"))
    }

    @Test("every line ends with CRLF, and there is no bare CR or LF",
          arguments: [ICalendar.Method.request, .cancel])
    func usesCRLF(method: ICalendar.Method) {
        // setup
        let event = event(summary: "Line one\nline two\r\nline three\rfour " + String(repeating: "long ", count: 40),
                          description: "a\nb\r\nc")

        // act
        let bytes = Array(ICalendar.invitation(event, method: method, productID: "-//Mingle//EN").utf8)

        // check
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
        for index in bytes.indices where bytes[index] == 0x0A {
            #expect(index > 0 && bytes[index - 1] == 0x0D, "LF at \(index) without CR")
        }
        for index in bytes.indices where bytes[index] == 0x0D {
            #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "CR at \(index) without LF")
        }
    }

    @Test("long lines with non-ASCII fold at 75 octets without splitting a character and unfold exactly")
    func foldsLongLines() throws {
        // setup
        let summary = "Café rencontre à Tōkyō — 東京の夕べ 🎉🎊👩‍💻 "
            + String(repeating: "é東🎉x", count: 30) + " fin"
        let event = event(summary: summary, description: String(repeating: "ü", count: 200),
                          organizerName: String(repeating: "Zoë Ångström ", count: 10))

        // act
        let text = ICalendar.invitation(event, method: .request, productID: "-//Mingle//EN")

        // check
        let physical = text.components(separatedBy: "\r\n")
        #expect(physical.contains { $0.hasPrefix(" ") }, "expected at least one folded line")
        for line in physical {
            #expect(line.utf8.count <= 75, "line of \(line.utf8.count) octets: \(line)")
            // each physical line is valid UTF-8 on its own: no multi-byte sequence was split
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
            #expect(line.unicodeScalars.first.map { $0.properties.generalCategory != .nonspacingMark } ?? true)
        }
        let lines = unfoldedLines(text)
        #expect(try unescape(#require(value("SUMMARY", in: lines))) == summary)
        #expect(try unescape(#require(value("DESCRIPTION", in: lines))) == String(repeating: "ü", count: 200))
        #expect(lines.contains("ORGANIZER;CN=" + String(repeating: "Zoë Ångström ", count: 10)
            + ":mailto:no-reply@mingle.localhost"))
    }

    @Test("a line of exactly 75 octets is not folded, one of 76 is")
    func foldBoundary() {
        // setup: "SUMMARY:" is 8 octets
        let fits = event(summary: String(repeating: "a", count: 67), attendee: nil)
        let overflows = event(summary: String(repeating: "a", count: 68), attendee: nil)

        // act
        let fitsLines = ICalendar.invitation(fits, method: .request, productID: "p", reminderMinutes: nil)
            .components(separatedBy: "\r\n")
        let overflowsLines = ICalendar.invitation(overflows, method: .request, productID: "p",
                                                  reminderMinutes: nil).components(separatedBy: "\r\n")

        // check
        #expect(fitsLines.contains("SUMMARY:" + String(repeating: "a", count: 67)))
        #expect(!fitsLines.contains { $0.hasPrefix(" ") })
        let index = overflowsLines.firstIndex { $0.hasPrefix("SUMMARY:") }
        #expect(index.map { overflowsLines[$0].utf8.count } == 75)
        #expect(index.map { overflowsLines[$0 + 1] } == " a")
    }

    @Test("TEXT values escape backslash, semicolon, comma and newlines, and round-trip",
          arguments: ["Tea; cake, and \\ backslash", "two\nlines", "crlf\r\nline", "a:b \"quoted\"", "\\n literal"])
    func escapesText(summary: String) throws {
        // setup
        let event = event(summary: summary, description: summary)

        // act
        let text = ICalendar.invitation(event, method: .request, productID: "-//Mingle//EN")

        // check
        let lines = unfoldedLines(text)
        let raw = try #require(value("SUMMARY", in: lines))
        #expect(!raw.contains("\n") && !raw.contains("\r"))
        let normalized = summary.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(unescape(raw) == normalized)
        #expect(try unescape(#require(value("DESCRIPTION", in: lines))) == normalized)
    }

    @Test("escaping of a known value is exact")
    func escapingIsExact() {
        // act
        let lines = unfoldedLines(ICalendar.invitation(event(summary: "a;b,c\\d\ne"), method: .request,
                                                       productID: "p"))

        // check
        #expect(lines.contains(#"SUMMARY:a\;b\,c\\d\ne"#))
    }

    @Test("CN is quoted when it holds : ; or , and loses its double quotes")
    func quotesParameterValues() {
        // act
        let quoted = unfoldedLines(ICalendar.invitation(event(organizerName: "Mingle: \"Paris\"; Lyon, Nice"),
                                                        method: .request, productID: "p"))
        let plain = unfoldedLines(ICalendar.invitation(event(organizerName: "Mingle \"Paris\""),
                                                       method: .request, productID: "p"))

        // check
        #expect(quoted.contains("ORGANIZER;CN=\"Mingle: Paris; Lyon, Nice\":mailto:no-reply@mingle.localhost"))
        #expect(plain.contains("ORGANIZER;CN=Mingle Paris:mailto:no-reply@mingle.localhost"))
    }

    @Test("a cancellation keeps the UID, carries the higher SEQUENCE and says CANCELLED")
    func cancellation() throws {
        // setup
        let original = event(sequence: 3)
        var cancelled = original
        cancelled.sequence += 1
        cancelled.cancelled = true

        // act
        let request = unfoldedLines(ICalendar.invitation(original, method: .request, productID: "p"))
        let cancel = unfoldedLines(ICalendar.invitation(cancelled, method: .cancel, productID: "p"))

        // check
        #expect(cancel.contains("METHOD:CANCEL"))
        #expect(value("UID", in: cancel) == value("UID", in: request))
        let before = try #require(value("SEQUENCE", in: request).flatMap { Int($0) })
        let after = try #require(value("SEQUENCE", in: cancel).flatMap { Int($0) })
        #expect(after > before)
        #expect(cancel.contains("STATUS:CANCELLED"))
        #expect(!cancel.contains("STATUS:CONFIRMED"))
        #expect(!cancel.contains("BEGIN:VALARM"))
        #expect(cancel.contains("ATTENDEE:mailto:ada@example.test"))
    }

    @Test("METHOD:CANCEL says CANCELLED even when the event is not flagged")
    func cancelMethodImpliesCancelled() {
        // act
        let lines = unfoldedLines(ICalendar.invitation(event(sequence: 1), method: .cancel, productID: "p"))

        // check
        #expect(lines.contains("STATUS:CANCELLED"))
    }

    @Test("a feed publishes several events, each once, without attendees or alarms")
    func feed() {
        // setup
        let events = [
            event(uid: "a@mingle.localhost", sequence: 0, summary: "Morning", attendee: nil),
            event(uid: "b@mingle.localhost", sequence: 4, summary: "Noon", attendee: nil, cancelled: true,
                  startOffset: 86_400),
            event(uid: "c@mingle.localhost", sequence: 1, summary: "Evening", url: nil, attendee: nil,
                  startOffset: 2 * 86_400),
        ]

        // act
        let text = ICalendar.feed(events, name: "Ada's sessions, Mingle", productID: "-//Mingle//EN")

        // check
        let lines = unfoldedLines(text)
        #expect(Array(lines.prefix(6)) == [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mingle//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            #"X-WR-CALNAME:Ada's sessions\, Mingle"#,
        ])
        #expect(lines.last == "END:VCALENDAR")
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 3)
        #expect(lines.filter { $0 == "END:VEVENT" }.count == 3)
        #expect(lines.filter { $0.hasPrefix("UID:") } == ["UID:a@mingle.localhost", "UID:b@mingle.localhost",
                                                           "UID:c@mingle.localhost"])
        #expect(lines.filter { $0.hasPrefix("STATUS:") } == ["STATUS:CONFIRMED", "STATUS:CANCELLED",
                                                              "STATUS:CONFIRMED"])
        #expect(lines.filter { $0.hasPrefix("DTSTART:") } == ["DTSTART:20240613T160000Z", "DTSTART:20240614T160000Z",
                                                               "DTSTART:20240615T160000Z"])
        #expect(lines.filter { $0.hasPrefix("URL:") }.count == 2)
        #expect(!lines.contains { $0.hasPrefix("ATTENDEE") || $0 == "BEGIN:VALARM" })
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
    }

    @Test("an empty feed is still a valid calendar")
    func emptyFeed() {
        // act
        let lines = unfoldedLines(ICalendar.feed([], name: "Nothing yet", productID: "p"))

        // check
        #expect(lines == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:p", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                          "X-WR-CALNAME:Nothing yet", "END:VCALENDAR"])
    }

    @Test("dates are UTC, whole seconds, zero-padded, across leap days and before 1970")
    func formatsDates() {
        // setup
        let cases: [(TimeInterval, String)] = [
            (0, "19700101T000000Z"),
            (951_782_400.9, "20000229T000000Z"),
            (1_709_164_799, "20240228T235959Z"),
            (1_709_251_199, "20240229T235959Z"),
            (-1, "19691231T235959Z"),
            (4_102_444_800, "21000101T000000Z"),
        ]

        for (seconds, expected) in cases {
            // act
            var event = event()
            event.stamp = Date(timeIntervalSince1970: seconds)
            let lines = unfoldedLines(ICalendar.invitation(event, method: .request, productID: "p"))

            // check
            #expect(value("DTSTAMP", in: lines) == expected, "for \(seconds)")
        }
    }

    // MARK: - The standard parser

    struct ParsedCalendar: Decodable {
        var method: String
        var events: [[String]]  // UID, SUMMARY, SEQUENCE, DTSTART, DESCRIPTION, STATUS, ORGANIZER CN
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `text` with the Python `icalendar` package; fails clearly if it is missing.
    func parseWithPython(_ text: String) throws -> ParsedCalendar {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("mingle-ical-\(UUID().uuidString).ics")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import icalendar, json, sys
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            events = [[str(ev["UID"]), str(ev["SUMMARY"]), str(ev["SEQUENCE"]),
                       ev.decoded("DTSTART").isoformat(), str(ev.get("DESCRIPTION", "")),
                       str(ev["STATUS"]), str(ev["ORGANIZER"].params.get("CN", ""))]
                      for ev in cal.walk("VEVENT")]
            print(json.dumps({"method": str(cal["METHOD"]), "events": events}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONIOENCODING"] = "utf-8"
        process.environment = environment
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory
            .appendingPathComponent("mingle-ical-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        do {
            try process.run()
        } catch {
            throw PythonFailure(description: "could not start /usr/bin/env python3: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw PythonFailure(description: """
                python3 with the icalendar package is required to check the .ics output \
                (exit status \(process.terminationStatus)); install it with `pip install icalendar`. stderr:
                \(stderr)
                """)
        }
        do {
            return try JSONDecoder().decode(ParsedCalendar.self, from: data)
        } catch {
            throw PythonFailure(description: "unexpected python output: \(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test("the Python icalendar parser reads an invitation back exactly",
          arguments: [ICalendar.Method.request, .cancel])
    func parsesWithStandardParser(method: ICalendar.Method) throws {
        // setup
        let summary = "Apéro, jeux; et rencontres à 東京 🎉 — " + String(repeating: "long títle ", count: 8)
        let description = "Bring a friend, or two;\nthe room: https://mingle.localhost/r/42 \\ enjoy"
        let event = event(uid: "5B1C0E6A-1F0D-4C56-9D3A-2E7F1A0B9C11@mingle.localhost", sequence: 7,
                          summary: summary, description: description, organizerName: "Mingle: Paris, \"Nord\"",
                          cancelled: method == .cancel)

        // act
        let parsed = try parseWithPython(ICalendar.invitation(event, method: method, productID: "-//Mingle//EN"))

        // check
        #expect(parsed.method == method.rawValue)
        #expect(parsed.events == [[
            "5B1C0E6A-1F0D-4C56-9D3A-2E7F1A0B9C11@mingle.localhost", summary, "7", "2024-06-13T16:00:00+00:00",
            description, method == .cancel ? "CANCELLED" : "CONFIRMED", "Mingle: Paris, Nord",
        ]])
    }

    @Test("the Python icalendar parser reads every event of a feed")
    func parsesFeedWithStandardParser() throws {
        // setup
        let events = (0..<3).map { index in
            event(uid: "s\(index)@mingle.localhost", sequence: index, summary: "Session \(index), ünïcode; ok",
                  description: "", attendee: nil, startOffset: TimeInterval(index) * 86_400)
        }

        // act
        let parsed = try parseWithPython(ICalendar.feed(events, name: "Ada's sessions", productID: "-//Mingle//EN"))

        // check
        #expect(parsed.method == "PUBLISH")
        #expect(parsed.events.map { $0[0] } == ["s0@mingle.localhost", "s1@mingle.localhost", "s2@mingle.localhost"])
        #expect(parsed.events.map { $0[1] } == events.map(\.summary))
        #expect(parsed.events.map { $0[2] } == ["0", "1", "2"])
        #expect(parsed.events.map { $0[3] } == ["2024-06-13T16:00:00+00:00", "2024-06-14T16:00:00+00:00",
                                                "2024-06-15T16:00:00+00:00"])
    }
}
