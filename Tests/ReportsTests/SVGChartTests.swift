import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reports
import Testing

@Suite struct SVGChartTests {
    /// Collects the elements and text of an XML document; fails on malformed XML.
    final class Reader: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    static func parse(_ svg: String) -> Reader? {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = Reader()
        parser.delegate = reader
        return parser.parse() ? reader : nil
    }

    static let bars = [
        SVGChart.Bar(label: "<script>alert(1)</script> & \"friends\"", value: 3, text: "3"),
        SVGChart.Bar(label: "李小龙", value: 1, text: "1"),
        SVGChart.Bar(label: "None", value: 0, text: "0"),
    ]

    @Test func aBarChartIsWellFormedLabelledForScreenReadersAndEscaped() throws {
        // act
        let svg = SVGChart.bars(id: "q1", title: "How good was this conversation?", description: "1: 3 answers, 2: 1, 3: none.",
                                bars: Self.bars, maximum: 3, accent: "#c2410c")
        // check
        let reader = try #require(Self.parse(svg), "well-formed XML")
        let root = try #require(reader.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["aria-labelledby"] == "q1-title q1-desc")
        #expect(reader.elements.contains { $0.name == "title" && $0.attributes["id"] == "q1-title" })
        #expect(reader.elements.contains { $0.name == "desc" && $0.attributes["id"] == "q1-desc" })
        #expect(reader.text.contains("<script>alert(1)</script> & \"friends\""))  // as text, not markup
        #expect(!svg.contains("<script>"))
        #expect(reader.text.contains("李小龙"))
        // bars: full width for the maximum, proportional below it, none for zero; the accent colour.
        let filled = reader.elements.filter { $0.name == "rect" && $0.attributes["fill"] == "#c2410c" }
        let widths = filled.compactMap { $0.attributes["width"].flatMap(Double.init) }
        #expect(widths.count == 3)
        #expect(widths[0] > 0 && abs(widths[1] - widths[0] / 3) < 0.2 && widths[2] == 0)
    }

    @Test func anAccentThatIsNotAPlainColourIsNotWrittenIntoTheChart() throws {
        let svg = SVGChart.bars(id: "x", title: "t", description: "d", bars: Self.bars, maximum: 3, accent: "red\" onload=\"alert(1)")
        let reader = try #require(Self.parse(svg))
        #expect(!svg.contains("onload"))
        #expect(reader.elements.filter { $0.name == "rect" }.allSatisfy { ($0.attributes["fill"] ?? "").hasPrefix("#") })
    }
}
