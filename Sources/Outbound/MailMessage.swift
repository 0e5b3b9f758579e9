import Foundation

/// Builds an RFC 5322 message: UTF-8 text (and optional HTML) parts, base64 bodies so
/// long lines and any script survive every relay, RFC 2047 encoded headers.
public struct MailMessage: Sendable {
    public var fromName: String
    public var fromAddress: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?
    public var date: Date
    public var messageID: String

    public init(fromName: String, fromAddress: String, to: String, subject: String, text: String,
                html: String? = nil, date: Date = Date(), messageID: String = UUID().uuidString) {
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
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
        if let html {
            let boundary = "mingle-\(messageID)"
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines += Self.part(type: "text/plain", body: text)
            lines.append("--\(boundary)")
            lines += Self.part(type: "text/html", body: html)
            lines.append("--\(boundary)--")
        } else {
            lines += Self.part(type: "text/plain", body: text)
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func part(type: String, body: String) -> [String] {
        let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", "", encoded]
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
