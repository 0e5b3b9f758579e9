import Foundation

/// Subtitles for uploaded videos: browsers read WebVTT only, people mostly have SRT.
/// Pure: bytes in, text out.
public enum Subtitles {
    /// A WebVTT file made from what was uploaded, and how many cues it holds.
    public struct Converted: Equatable, Sendable {
        public let webVTT: String
        public let cues: Int
        /// Blocks of the SRT file that were not cues (no timing line) and were left out.
        public let skipped: Int
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notWebVTT
        case noCues
        case notText

        public var description: String {
            switch self {
            case .notWebVTT: "A WebVTT file must start with the line WEBVTT."
            case .noCues: "No subtitles were found in the file (a subtitle is a time line such as 00:00:01,000 --> 00:00:02,500 followed by its text)."
            case .notText: "The subtitle file is not text."
            }
        }
    }

    /// An uploaded subtitle file, WebVTT or SRT, as WebVTT.
    public static func webVTT(from bytes: [UInt8]) throws(Problem) -> Converted {
        let text = try decode(bytes)
        if text.hasPrefix("WEBVTT") {
            let vtt = try validatedWebVTT(text)
            return Converted(webVTT: vtt, cues: vtt.components(separatedBy: "-->").count - 1, skipped: 0)
        }
        return try convertSRT(text)
    }

    /// Checks a WebVTT file's signature (RFC-like rule of the WebVTT spec: `WEBVTT` alone on the
    /// first line or followed by a space or tab) and returns it with LF line ends, without a BOM.
    public static func validatedWebVTT(_ text: String) throws(Problem) -> String {
        let normalized = normalizeLines(text)
        guard normalized.hasPrefix("WEBVTT") else { throw .notWebVTT }
        let after = normalized.dropFirst(6).first
        guard after == nil || after == "\n" || after == " " || after == "\t" else { throw .notWebVTT }
        return normalized
    }

    /// SRT → WebVTT: numbering dropped, `,` in times becomes `.`, hours always written,
    /// position coordinates after the times dropped, `<font>` and `{\…}` tags removed, stray `&`
    /// and `<` escaped, `-->` inside text defused. Blocks without a timing line are skipped.
    public static func convertSRT(_ text: String) throws(Problem) -> Converted {
        let lines = normalizeLines(text).split(separator: "\n", omittingEmptySubsequences: false)
        var blocks: [[Substring]] = [[]]
        for line in lines {
            if line.allSatisfy(\.isWhitespace) {
                if !(blocks.last?.isEmpty ?? true) { blocks.append([]) }
            } else {
                blocks[blocks.count - 1].append(line)
            }
        }
        var cues: [String] = []
        var skipped = 0
        for block in blocks where !block.isEmpty {
            // The timing line is the first or, after a cue number, the second line.
            guard let timingIndex = block.prefix(2).firstIndex(where: { timing($0) != nil }),
                  let (start, end) = timing(block[timingIndex]) else {
                skipped += 1
                continue
            }
            let text = block[(timingIndex + 1)...].map { cueText(String($0)) }.filter { !$0.isEmpty }
            cues.append(([format(start) + " --> " + format(end)] + text).joined(separator: "\n"))
        }
        guard !cues.isEmpty else { throw .noCues }
        return Converted(webVTT: "WEBVTT\n\n" + cues.joined(separator: "\n\n") + "\n", cues: cues.count, skipped: skipped)
    }

    /// UTF-8 (with or without BOM), else Windows-1252, which old SRT files are often in.
    static func decode(_ bytes: [UInt8]) throws(Problem) -> String {
        if bytes.contains(0) { throw .notText }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        if let text = String(data: Data(bytes), encoding: .windowsCP1252) { return text }
        throw .notText
    }

    /// No BOM; CRLF and lone CR become LF.
    static func normalizeLines(_ text: String) -> String {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // "\r\n" is one Character in Swift: replace it as a unit, then the lone "\r"s.
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Milliseconds of `start --> end` (anything after the end time is ignored); nil when the
    /// line is not a timing line or ends before it starts.
    static func timing(_ line: Substring) -> (Int, Int)? {
        let parts = line.components(separatedBy: "-->")
        guard parts.count == 2 else { return nil }
        let endField = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        guard let start = time(parts[0].trimmingCharacters(in: .whitespaces)), let end = time(endField), end >= start else {
            return nil
        }
        return (start, end)
    }

    /// `HH:MM:SS,mmm`, `HH:MM:SS.mmm` or `MM:SS,mmm` in milliseconds; 1–3 fraction digits read
    /// as a decimal fraction (`,5` is 500 ms).
    static func time(_ field: String) -> Int? {
        let pieces = field.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2 || pieces.count == 3 else { return nil }
        let secondsField = pieces[pieces.count - 1]
        let secondsParts = secondsField.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "," || $0 == "." })
        guard secondsParts.count == 2, (1...3).contains(secondsParts[1].count),
              let seconds = digits(secondsParts[0], max: 2), seconds < 60,
              let fraction = digits(secondsParts[1], max: 3) else { return nil }
        let millis = fraction * [1, 100, 10, 1][secondsParts[1].count]
        guard let minutes = digits(pieces[pieces.count - 2], max: 2), minutes < 60 else { return nil }
        let hours = pieces.count == 3 ? digits(pieces[0], max: 4) : 0
        guard let hours else { return nil }
        return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    }

    static func digits(_ text: Substring, max: Int) -> Int? {
        guard !text.isEmpty, text.count <= max, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static func format(_ millis: Int) -> String {
        let hours = millis / 3_600_000, minutes = millis / 60_000 % 60, seconds = millis / 1000 % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = millis % 1000
        return "\(two(hours)):\(two(minutes)):\(two(seconds)).\(ms < 10 ? "00" : ms < 100 ? "0" : "")\(ms)"
    }

    /// One line of cue text as WebVTT accepts it. WebVTT knows `<b>`, `<i>`, `<u>` (kept); SRT's
    /// `<font …>` and ASS overrides `{\an8}` are dropped; a `<` or `&` that starts nothing is
    /// escaped; `-->` would be read as a timing line, so it loses its `-`.
    static func cueText(_ line: String) -> String {
        var text = line.replacingOccurrences(of: "-->", with: "->")
        text = text.replacingOccurrences(of: #"\{\\[^}]*\}"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"</?font[^>]*>"#, with: "", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: #"&(?!(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);)"#, with: "&amp;", options: .regularExpression)
        for tag in ["B", "I", "U"] {
            text = text.replacingOccurrences(of: "<\(tag)>", with: "<\(tag.lowercased())>")
                .replacingOccurrences(of: "</\(tag)>", with: "</\(tag.lowercased())>")
        }
        text = text.replacingOccurrences(of: #"<(?!/?[biu]>)"#, with: "&lt;", options: .regularExpression)
        return text.trimmingCharacters(in: .whitespaces)
    }
}
