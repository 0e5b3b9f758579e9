/// Splits a migration file into single statements, because PostgresNIO's extended protocol
/// accepts one statement per query. Understands '…' strings (with '' inside), "…"
/// identifiers, -- and /* */ comments (nested, as PostgreSQL allows), and dollar-quoted
/// bodies ($$…$$, $tag$…$tag$), so semicolons inside any of them do not split.
public enum SQLSplitter {
    public static func statements(_ sql: String) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var result: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        func flush() {
            let statement = String(current).trimmingWhitespace()
            if !statement.isEmpty && !isOnlyComments(statement) { result.append(statement) }
            current = String.UnicodeScalarView()
        }
        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            switch c {
            case "'", "\"":
                var j = i + 1
                while j < chars.count {
                    if chars[j] == c {
                        if j + 1 < chars.count && chars[j + 1] == c { j += 2; continue }   // doubled quote
                        break
                    }
                    j += 1
                }
                current.append(contentsOf: chars[i..<min(j + 1, chars.count)])
                i = j + 1
            case "-" where next == "-":
                var j = i
                while j < chars.count && chars[j] != "\n" { j += 1 }
                current.append(contentsOf: chars[i..<j])
                i = j
            case "/" where next == "*":
                var depth = 0, j = i
                repeat {
                    if j + 1 < chars.count && chars[j] == "/" && chars[j + 1] == "*" { depth += 1; j += 2 }
                    else if j + 1 < chars.count && chars[j] == "*" && chars[j + 1] == "/" { depth -= 1; j += 2 }
                    else { j += 1 }
                } while depth > 0 && j < chars.count
                current.append(contentsOf: chars[i..<min(j, chars.count)])
                i = j
            case "$":
                if let tagEnd = dollarTagEnd(chars, from: i) {
                    let tag = Array(chars[i...tagEnd])
                    var j = tagEnd + 1
                    var closed = false
                    while j + tag.count <= chars.count {
                        if Array(chars[j..<(j + tag.count)]) == tag { closed = true; break }
                        j += 1
                    }
                    let end = closed ? j + tag.count : chars.count
                    current.append(contentsOf: chars[i..<end])
                    i = end
                } else {
                    current.append(c)
                    i += 1
                }
            case ";":
                flush()
                i += 1
            default:
                current.append(c)
                i += 1
            }
        }
        flush()
        return result
    }

    /// `$tag$` starting at `start` (tag: letters, digits, underscores, not starting with a digit);
    /// returns the index of the closing `$`. `$1` (a parameter) is not a tag.
    private static func dollarTagEnd(_ chars: [Unicode.Scalar], from start: Int) -> Int? {
        var j = start + 1
        while j < chars.count {
            let c = chars[j]
            if c == "$" { return j }
            let isTagChar = c == "_" || c.properties.isAlphabetic || (c.properties.numericType != nil && j > start + 1)
            guard isTagChar else { return nil }
            j += 1
        }
        return nil
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { $0.trimmingWhitespace().hasPrefix("--") || $0.trimmingWhitespace().isEmpty }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
