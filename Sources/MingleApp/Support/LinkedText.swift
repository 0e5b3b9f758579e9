/// Text people wrote, cut into plain pieces and web links so pages can make the links clickable
/// (issue 14) while everything stays escaped by the template: only `http://` and `https://`
/// addresses become links (never `javascript:` or `data:`), and punctuation that ends a
/// sentence is not taken into the address.
struct LinkedText: Encodable, Equatable {
    struct Piece: Encodable, Equatable {
        var text: String
        /// Set when the piece is a link: the address, the same as `text`.
        var href: String?
    }

    var pieces: [Piece]

    init(_ text: String) { pieces = Self.pieces(text) }

    static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var plainStart = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            guard let link = link(in: text, at: index) else {
                index = text.index(after: index)
                continue
            }
            if plainStart < index { pieces.append(Piece(text: String(text[plainStart..<index]))) }
            let href = String(text[index..<link])
            pieces.append(Piece(text: href, href: href))
            index = link
            plainStart = link
        }
        if plainStart < text.endIndex { pieces.append(Piece(text: String(text[plainStart...]))) }
        return pieces
    }

    /// The end of a link starting at `start`, if one does: a scheme at a word's start, a host,
    /// then everything up to a space, less trailing punctuation.
    private static func link(in text: String, at start: String.Index) -> String.Index? {
        if start > text.startIndex {
            let before = text[text.index(before: start)]
            if before.isLetter || before.isNumber || before == "/" || before == "@" { return nil }
        }
        let rest = text[start...]
        let scheme: Int
        if rest.prefix(8).lowercased() == "https://" { scheme = 8 }
        else if rest.prefix(7).lowercased() == "http://" { scheme = 7 }
        else { return nil }
        var end = text.index(start, offsetBy: scheme)
        let hostStart = end
        while end < text.endIndex, !text[end].isWhitespace, !"<>\"`".contains(text[end]) { end = text.index(after: end) }
        // Sentence punctuation after an address belongs to the sentence; a closing bracket too,
        // unless the address opened one (Wikipedia's "…_(band)").
        while end > hostStart {
            let last = text[text.index(before: end)]
            let closes: Character? = switch last { case ")": "("; case "]": "["; case "}": "{"; default: nil }
            if let opener = closes {
                let inside = text[start..<end]
                if inside.filter({ $0 == opener }).count >= inside.filter({ $0 == last }).count { break }
            } else if !".,;:!?'*…".contains(last) {
                break
            }
            end = text.index(before: end)
        }
        // A host needs a letter or digit: "http://" alone, or "http://..", is just text.
        guard text[hostStart..<end].contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
        return end
    }
}
