import Foundation

/// Builds an RFC 5322 message: UTF-8 text (and optional HTML) parts, base64 bodies so
/// long lines and any script survive every relay, RFC 2047 encoded headers. Attachments make
/// it multipart/mixed: the text (or text and HTML alternative) first, then each attachment.
public struct MailMessage: Sendable {
    /// A text attachment (an invitation's `.ics`), sent base64 encoded.
    public struct Attachment: Sendable, Equatable {
        public var filename: String
        /// The media type and its parameters, e.g. `text/calendar; method=REQUEST; charset=UTF-8`.
        public var contentType: String
        public var content: String

        public init(filename: String, contentType: String, content: String) {
            self.filename = filename
            self.contentType = contentType
            self.content = content
        }
    }

    public var fromName: String
    public var fromAddress: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [Attachment]
    public var date: Date
    public var messageID: String

    public init(fromName: String, fromAddress: String, to: String, subject: String, text: String,
                html: String? = nil, attachments: [Attachment] = [], date: Date = Date(),
                messageID: String = UUID().uuidString) {
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.date = date
        self.messageID = messageID
    }

    public func encoded() -> [UInt8] {
        let domain = fromAddress.split(separator: "@").last.map(String.init) ?? "mingle.localhost"
        var lines = [
            "From: \(Self.header(fromName, isDisplayName: true)) <\(Self.address(fromAddress))>",
            "To: <\(Self.address(to))>",
            "Subject: \(Self.header(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)@\(domain)>",
            "MIME-Version: 1.0",
        ]
        if attachments.isEmpty {
            lines += body
        } else {
            let boundary = "mingle-mixed-\(Self.boundarySafe(messageID))"
            lines.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines += body
            for attachment in attachments {
                lines.append("--\(boundary)")
                lines += Self.part(attachment)
            }
            lines.append("--\(boundary)--")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// The readable body: text alone, or text and HTML as alternatives; headers included.
    private var body: [String] {
        guard let html else { return Self.part(type: "text/plain", body: text) }
        let boundary = "mingle-\(Self.boundarySafe(messageID))"
        var lines = ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""]
        lines.append("--\(boundary)")
        lines += Self.part(type: "text/plain", body: text)
        lines.append("--\(boundary)")
        lines += Self.part(type: "text/html", body: html)
        lines.append("--\(boundary)--")
        return lines
    }

    private static func part(type: String, body: String) -> [String] {
        ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", "", base64(body)]
    }

    private static func part(_ attachment: Attachment) -> [String] {
        let name = filename(attachment.filename)
        return ["Content-Type: \(headerParameters(attachment.contentType)); name=\"\(name)\"",
                "Content-Disposition: attachment; filename=\"\(name)\"",
                "Content-Transfer-Encoding: base64", "", base64(attachment.content)]
    }

    private static func base64(_ body: String) -> String {
        Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// A boundary may only hold RFC 2046's characters and at most 70 of them.
    static func boundarySafe(_ value: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?")
        return String(value.filter(allowed.contains).prefix(50))
    }

    /// A file name as a quoted parameter: letters, digits, `.`, `-` and `_` only.
    static func filename(_ value: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        let cleaned = String(value.filter(allowed.contains).prefix(80))
        return cleaned.isEmpty ? "attachment" : cleaned
    }

    /// A media type with parameters on one header line: printable ASCII, no line breaks.
    static func headerParameters(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init))
    }

    /// Printable ASCII stays as it is (in a display name, only without RFC 5322 specials, which
    /// would change how the address is read); anything else becomes RFC 2047 encoded words of
    /// at most 75 characters, folded onto continuation lines.
    static func header(_ value: String, isDisplayName: Bool = false) -> String {
        let flat = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        let specials = Set("()<>[]:;@\\,.\"")
        let printable = flat.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
        if printable && !(isDisplayName && flat.contains(where: specials.contains)) {
            return flat
        }
        // 45 bytes of UTF-8 per word: 60 base64 characters plus 12 of framing, split between characters.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in flat {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// An address as it may appear between angle brackets: no line breaks, controls or brackets.
    static func address(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" }.map(Character.init))
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
