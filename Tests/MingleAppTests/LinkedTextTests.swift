@testable import MingleApp
import Testing

/// Links in what people write: which become links, where they end, and what stays text.
@Suite struct LinkedTextTests {
    typealias Piece = LinkedText.Piece
    static func link(_ href: String) -> Piece { Piece(text: href, href: href) }
    static func text(_ text: String) -> Piece { Piece(text: text) }

    @Test(arguments: [
        ("no link here", [text("no link here")]),
        ("", []),
        ("https://example.com", [link("https://example.com")]),
        ("See https://example.com/a?b=1&c=2#d.", [text("See "), link("https://example.com/a?b=1&c=2#d"), text(".")]),
        ("(http://example.com/x)", [text("("), link("http://example.com/x"), text(")")]),
        ("https://en.wikipedia.org/wiki/Mingle_(band), yes", [link("https://en.wikipedia.org/wiki/Mingle_(band)"), text(", yes")]),
        ("two: https://a.io and HTTPS://B.IO!", [text("two: "), link("https://a.io"), text(" and "), link("HTTPS://B.IO"), text("!")]),
        ("line\nhttps://a.io\nnext", [text("line\n"), link("https://a.io"), text("\nnext")]),
        ("javascript:alert(1) https://a.io", [text("javascript:alert(1) "), link("https://a.io")]),
        ("data:text/html,<b>x</b>", [text("data:text/html,<b>x</b>")]),
        ("ftp://files.example.com", [text("ftp://files.example.com")]),
        ("xhttps://a.io", [text("xhttps://a.io")]),
        ("http:// and https://...", [text("http:// and https://...")]),
        ("<https://a.io/\"onclick=x>", [text("<"), link("https://a.io/"), text("\"onclick=x>")]),
        ("Zoë wrote https://zoë.example/ä ok", [text("Zoë wrote "), link("https://zoë.example/ä"), text(" ok")]),
    ])
    func piecesAreLinksAndText(input: String, expected: [Piece]) {
        // act / check
        #expect(LinkedText.pieces(input) == expected)
    }

    @Test func thePiecesPutTogetherAreTheTextUnchanged() {
        // setup
        let samples = ["a https://x.io/(b) c.", "https://a.io,https://b.io", "…https://a.io…", "http://", "((https://a.io))"]

        // act / check
        for sample in samples { #expect(LinkedText.pieces(sample).map(\.text).joined() == sample) }
    }
}
