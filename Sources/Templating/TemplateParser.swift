/// Parses the Mustache we write: variables (`{{x}}`, `{{{x}}}`, `{{&x}}`, dotted names, `{{.}}`),
/// sections and inverted sections, comments, partials (`{{>x}}`) and template inheritance
/// (`{{<parent}}`, `{{$block}}`), with the specification's standalone-line rules. Not supported,
/// and refused with an error rather than misread: changing delimiters (`{{=`), lambdas,
/// dynamic partial names (`{{>*x}}`) and pragmas (`{{%`).
enum TemplateParser {
    static func parse(_ source: String) throws(TemplateSyntaxError) -> [TemplateNode] {
        let tokens = try standalone(tokenize(Array(source.utf8)))
        var index = 0
        let nodes = try build(tokens, &index, closing: nil)
        return nodes
    }

    // MARK: tokens

    enum Kind: Equatable {
        case variable, unescaped, section, inverted, close, comment, partial, parent, block
        /// May stand alone on a line, which then leaves no trace in the output.
        var canStandAlone: Bool { self != .variable && self != .unescaped }
    }

    enum Token {
        case text(String)
        case tag(Kind, String, indentation: String, line: Int)
    }

    /// Text is cut after every newline, so a line's tokens can be judged together.
    static func tokenize(_ bytes: [UInt8]) throws(TemplateSyntaxError) -> [Token] {
        var tokens: [Token] = []
        var i = 0, textStart = 0, line = 1
        let count = bytes.count
        func flushText(to end: Int) {
            var start = textStart
            var j = textStart
            while j < end {
                if bytes[j] == UInt8(ascii: "\n") {
                    tokens.append(.text(String(decoding: bytes[start...j], as: UTF8.self)))
                    start = j + 1
                }
                j += 1
            }
            if start < end { tokens.append(.text(String(decoding: bytes[start..<end], as: UTF8.self))) }
        }
        while i < count {
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            guard bytes[i] == UInt8(ascii: "{"), i + 1 < count, bytes[i + 1] == UInt8(ascii: "{") else { i += 1; continue }
            flushText(to: i)
            var j = i + 2
            var kind = Kind.variable
            var closer: [UInt8] = [UInt8(ascii: "}"), UInt8(ascii: "}")]
            if j < count {
                switch bytes[j] {
                case UInt8(ascii: "{"): kind = .unescaped; closer = [UInt8(ascii: "}"), UInt8(ascii: "}"), UInt8(ascii: "}")]; j += 1
                case UInt8(ascii: "&"): kind = .unescaped; j += 1
                case UInt8(ascii: "#"): kind = .section; j += 1
                case UInt8(ascii: "^"): kind = .inverted; j += 1
                case UInt8(ascii: "/"): kind = .close; j += 1
                case UInt8(ascii: "!"): kind = .comment; j += 1
                case UInt8(ascii: ">"): kind = .partial; j += 1
                case UInt8(ascii: "<"): kind = .parent; j += 1
                case UInt8(ascii: "$"): kind = .block; j += 1
                case UInt8(ascii: "="), UInt8(ascii: "%"):
                    throw TemplateSyntaxError(line: line, message: "changing delimiters and pragmas are not supported")
                default: break
                }
            }
            guard let end = find(closer, in: bytes, from: j) else {
                throw TemplateSyntaxError(line: line, message: "a tag is not closed")
            }
            let content = String(decoding: bytes[j..<end], as: UTF8.self)
            for byte in bytes[j..<end] where byte == UInt8(ascii: "\n") { line += 1 }
            let name = trimmed(content)
            if kind != .comment {
                if name.isEmpty { throw TemplateSyntaxError(line: line, message: "a tag has no name") }
                if kind == .partial, name.hasPrefix("*") {
                    throw TemplateSyntaxError(line: line, message: "dynamic partial names are not supported")
                }
            }
            tokens.append(.tag(kind, kind == .comment ? "" : name, indentation: "", line: line))
            i = end + closer.count
            textStart = i
        }
        flushText(to: count)
        return tokens
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0], needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) { return i }
            i += 1
        }
        return nil
    }

    private static func trimmed(_ text: String) -> String {
        var view = Substring(text)
        while let first = view.first, first == " " || first == "\t" || first == "\n" || first == "\r" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" || last == "\n" || last == "\r" { view.removeLast() }
        return String(view)
    }

    private static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
    }

    /// A line holding only section, inverted, closing, comment, partial, parent or block tags
    /// and spaces disappears from the output (its newline too); a standalone partial or parent
    /// keeps the spaces before it as the indentation of what it includes, and so does a block.
    static func standalone(_ tokens: [Token]) -> [Token] {
        var result: [Token] = []
        var lineStart = 0
        var i = 0
        while i <= tokens.count {
            let endsLine: Bool
            if i == tokens.count { endsLine = true }
            else if case .text(let text) = tokens[i], text.utf8.last == UInt8(ascii: "\n") { endsLine = true }
            else { endsLine = false }
            guard endsLine else { i += 1; continue }
            let lineEnd = min(i + 1, tokens.count)
            let line = tokens[lineStart..<lineEnd]
            var tags: [Int] = []
            var blank = true
            for index in line.indices {
                switch line[index] {
                case .tag(let kind, _, _, _): if kind.canStandAlone { tags.append(index) } else { blank = false }
                case .text(let text): if !isBlank(text) { blank = false }
                }
            }
            if blank, let first = tags.first {
                var indentation = ""
                if first > lineStart, case .text(let text) = tokens[first - 1] { indentation = text }
                for index in tags {
                    guard case .tag(let kind, let name, _, let number) = tokens[index] else { continue }
                    result.append(.tag(kind, name, indentation: index == first ? indentation : "", line: number))
                }
            } else {
                result.append(contentsOf: line)
            }
            lineStart = lineEnd
            i = lineEnd
            if i == tokens.count { break }
        }
        return result
    }

    // MARK: tree

    static func build(_ tokens: [Token], _ index: inout Int, closing: String?) throws(TemplateSyntaxError) -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .text(let text):
                if case .text(let previous) = nodes.last { nodes[nodes.count - 1] = .text(previous + text) } else { nodes.append(.text(text)) }
            case .tag(let kind, let name, let indentation, let line):
                switch kind {
                case .comment: break
                case .variable: nodes.append(.variable(TemplateName(name), escaped: true))
                case .unescaped: nodes.append(.variable(TemplateName(name), escaped: false))
                case .section, .inverted:
                    let inner = try build(tokens, &index, closing: name)
                    nodes.append(.section(TemplateName(name), inner, inverted: kind == .inverted))
                case .block:
                    nodes.append(.block(name, try build(tokens, &index, closing: name), indentation: indentation))
                case .parent:
                    let inner = try build(tokens, &index, closing: name)
                    var blocks: [String: [TemplateNode]] = [:]
                    for case .block(let blockName, let content, _) in inner { blocks[blockName] = content }
                    nodes.append(.parent(name, blocks: blocks, indentation: indentation))
                case .partial:
                    nodes.append(.partial(name, indentation: indentation))
                case .close:
                    guard name == closing else {
                        throw TemplateSyntaxError(line: line, message: closing.map { "{{/\(name)}} closes {{#\($0)}}" } ?? "{{/\(name)}} closes nothing")
                    }
                    return nodes
                }
            }
        }
        if let closing { throw TemplateSyntaxError(line: 0, message: "{{#\(closing)}} is not closed") }
        return nodes
    }
}

/// A parsed template: text and tags in a tree.
indirect enum TemplateNode: Sendable {
    case text(String)
    case variable(TemplateName, escaped: Bool)
    case section(TemplateName, [TemplateNode], inverted: Bool)
    case partial(String, indentation: String)
    case parent(String, blocks: [String: [TemplateNode]], indentation: String)
    case block(String, [TemplateNode], indentation: String)
}

/// `a.b.c` as its parts; `.` (the current value) has none.
struct TemplateName: Sendable {
    var parts: [String]
    init(_ text: String) { parts = text == "." ? [] : text.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
}

public struct TemplateSyntaxError: Error, CustomStringConvertible, Sendable {
    public var template = ""
    public var line: Int
    public var message: String
    public var description: String { "\(template.isEmpty ? "template" : template).mustache, line \(line): \(message)" }
}
