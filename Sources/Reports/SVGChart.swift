/// Charts drawn on the server as SVG, inline in the page: readable without JavaScript, with a
/// title and a one-sentence description for screen readers (`role="img"`), in the tenant's
/// accent colour. Horizontal bars, so long labels and phones both fit.
public enum SVGChart {
    public struct Bar: Sendable, Hashable {
        public var label: String
        public var value: Double
        /// Shown after the bar, e.g. "3" or "4.25 (8 ratings)".
        public var text: String

        public init(label: String, value: Double, text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }

    static let width = 640.0, labelWidth = 150.0, textWidth = 130.0, rowHeight = 30.0, barHeight = 18.0, top = 8.0
    /// Labels longer than this go above their bar, across the whole width (question prompts).
    static let sideLabelCharacters = 18, maxLabelCharacters = 80

    /// - Parameters:
    ///   - id: unique in the page (the title and description are referenced by it)
    ///   - maximum: the value of a full-width bar (5 for means of ratings, the largest count for counts)
    public static func bars(id: String, title: String, description: String, bars: [Bar], maximum: Double, accent: String) -> String {
        let colour = safeColour(accent)
        let above = bars.contains { $0.label.count > sideLabelCharacters }
        let row = above ? rowHeight + 18 : rowHeight
        let left = above ? 0 : labelWidth
        let height = top * 2 + row * Double(max(bars.count, 1))
        let room = width - left - textWidth
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(number(width)) \(number(height))" \
            width="100%" role="img" aria-labelledby="\(escape(id))-title \(escape(id))-desc" \
            font-family="system-ui, sans-serif" font-size="14">\
            <title id="\(escape(id))-title">\(escape(title))</title>\
            <desc id="\(escape(id))-desc">\(escape(description))</desc>
            """
        for (index, bar) in bars.enumerated() {
            let y = top + row * Double(index) + (above ? 18 : 0)
            let length = maximum > 0 ? max(0, min(1, bar.value / maximum)) * room : 0
            let label = bar.label.count > maxLabelCharacters ? String(bar.label.prefix(maxLabelCharacters - 1)) + "…" : bar.label
            let labelText = above
                ? "<text x=\"0\" y=\"\(number(y - 5))\" fill=\"#1d1d27\">\(escape(label))</text>"
                : "<text x=\"\(number(left - 10))\" y=\"\(number(y + barHeight - 4))\" text-anchor=\"end\" fill=\"#1d1d27\">\(escape(label))</text>"
            svg += """
                <g><title>\(escape(bar.label)): \(escape(bar.text))</title>\(labelText)\
                <rect x="\(number(left))" y="\(number(y))" width="\(number(room))" height="\(number(barHeight))" fill="#ececf2" rx="3"/>\
                <rect x="\(number(left))" y="\(number(y))" width="\(number(length))" height="\(number(barHeight))" fill="\(colour)" rx="3"/>\
                <text x="\(number(left + room + 8))" y="\(number(y + barHeight - 4))" fill="#1d1d27">\(escape(bar.text))</text></g>
                """
        }
        return svg + "</svg>"
    }

    /// The accent colour if it is a plain #rgb / #rrggbb value, otherwise Mingle's own.
    static func safeColour(_ value: String) -> String {
        let hex = value.dropFirst()
        let plain = value.first == "#" && (hex.count == 3 || hex.count == 6) && hex.allSatisfy(\.isHexDigit)
        return plain ? value : "#3b5bdb"
    }

    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in XML 1.0.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
