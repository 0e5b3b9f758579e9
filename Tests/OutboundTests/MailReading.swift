import Foundation

/// A mail message read back the way a receiving client would: unfolded headers, then a body.
/// Accepts CRLF (as sent) or LF (as a Maildir file stores it) line endings.
struct ReceivedMail {
    var headerLines: [String]
    var body: String

    init(_ bytes: [UInt8]) {
        self.init(String(decoding: bytes, as: UTF8.self))
    }

    init(_ text: String) {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        let blank = lines.firstIndex(of: "") ?? lines.count
        var unfolded: [String] = []
        for line in lines[..<blank] {
            if let first = line.first, first == " " || first == "\t", !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += line
            } else {
                unfolded.append(line)
            }
        }
        headerLines = unfolded
        body = lines[min(blank + 1, lines.count)...].joined(separator: "\n")
    }

    /// The values of every header called `name` (case-insensitive).
    func headers(_ name: String) -> [String] {
        let prefix = name.lowercased() + ":"
        return headerLines
            .filter { $0.lowercased().hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
    }

    func header(_ name: String) -> String? { headers(name).first }

    /// The body as base64, decoded to text.
    var decodedBody: String? {
        Data(base64Encoded: body, options: .ignoreUnknownCharacters).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The `boundary` parameter of a multipart Content-Type.
    var boundary: String? {
        guard let contentType = header("Content-Type"),
              let match = contentType.firstMatch(of: /boundary="?([^";]+)"?/) else { return nil }
        return String(match.1)
    }

    /// The parts of a multipart body, or nil when the closing delimiter is missing.
    var parts: [ReceivedMail]? {
        guard let boundary else { return nil }
        let sections = body.components(separatedBy: "--\(boundary)")
        guard sections.count >= 3, sections.last?.hasPrefix("--") == true else { return nil }
        return sections.dropFirst().dropLast().map { section in
            ReceivedMail(String(section.drop { $0 == "\r" || $0 == "\n" }))
        }
    }
}

/// Decodes RFC 2047 encoded words (B and Q, UTF-8); whitespace between adjacent encoded words is dropped.
func decodeEncodedWords(_ value: String) -> String {
    let word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/
    var result = ""
    var rest = value[...]
    var previousWasEncoded = false
    while let match = rest.firstMatch(of: word) {
        let gap = rest[rest.startIndex..<match.range.lowerBound]
        if !(previousWasEncoded && gap.allSatisfy(\.isWhitespace)) { result += gap }
        let bytes = match.2.uppercased() == "B" ? base64Bytes(match.3) : quotedPrintableBytes(match.3)
        result += String(decoding: bytes, as: UTF8.self)
        previousWasEncoded = true
        rest = rest[match.range.upperBound...]
    }
    return result + rest
}

private func base64Bytes(_ text: Substring) -> [UInt8] {
    Data(base64Encoded: String(text)).map(Array.init) ?? Array("<bad base64>".utf8)
}

private func quotedPrintableBytes(_ text: Substring) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let character = text[index]
        if character == "=", let end = text.index(index, offsetBy: 3, limitedBy: text.endIndex),
           let byte = UInt8(text[text.index(after: index)..<end], radix: 16) {
            bytes.append(byte)
            index = end
        } else {
            bytes += character == "_" ? [0x20] : Array(String(character).utf8)
            index = text.index(after: index)
        }
    }
    return bytes
}
