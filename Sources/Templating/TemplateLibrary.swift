import Foundation

/// Every template of a folder, parsed once at start-up and named by its path without the
/// extension (`people`, `partials/errors`, `mail/session_text`). Immutable, so shared freely.
public struct TemplateLibrary: Sendable {
    private let templates: [String: [TemplateNode]]

    /// `sources`: template name → Mustache text.
    public init(sources: [String: String]) throws(TemplateSyntaxError) {
        var parsed: [String: [TemplateNode]] = [:]
        for (name, source) in sources {
            do { parsed[name] = try TemplateParser.parse(source) } catch {
                var error = error
                error.template = name
                throw error
            }
        }
        templates = parsed
    }

    /// Reads every `.mustache` file under `directory` (I/O at start-up only).
    public static func load(directory: String) throws -> TemplateLibrary {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var sources: [String: String] = [:]
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "mustache" else { continue }
            let path = file.standardizedFileURL.path
            let name = String(path.dropFirst(root.path.count + 1).dropLast(".mustache".count))
            sources[name] = try String(contentsOf: file, encoding: .utf8)
        }
        return try TemplateLibrary(sources: sources)
    }

    public func contains(_ name: String) -> Bool { templates[name] != nil }

    /// Partials and parents that some template names but the library does not have: a start-up
    /// check, since rendering leaves a missing partial empty, as Mustache says it must.
    public func missingReferences() -> [String] {
        var missing = Set<String>()
        func visit(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .text, .variable: break
                case .section(_, let inner, _), .block(_, let inner, _): visit(inner)
                case .partial(let name, _): if templates[name] == nil { missing.insert(name) }
                case .parent(let name, let blocks, _):
                    if templates[name] == nil { missing.insert(name) }
                    blocks.values.forEach(visit)
                }
            }
        }
        templates.values.forEach(visit)
        return missing.sorted()
    }

    /// The template's text for `value`, or nil when there is no template of that name.
    public func render(_ value: TemplateValue, template name: String) -> String? {
        guard let nodes = templates[name] else { return nil }
        var renderer = TemplateRenderer(templates: templates, stack: [value])
        renderer.render(nodes, blocks: [:], indentation: "")
        return renderer.output
    }
}

/// Writes one template's output; the context stack holds the values of the open sections.
struct TemplateRenderer {

    let templates: [String: [TemplateNode]]
    var stack: [TemplateValue]
    var output = ""

    init(templates: [String: [TemplateNode]], stack: [TemplateValue]) {
        self.templates = templates
        self.stack = stack
        output.reserveCapacity(16_384)
    }

    mutating func render(_ nodes: [TemplateNode], blocks: [String: [TemplateNode]], indentation: String) {
        for node in nodes {
            switch node {
            case .text(let text):
                write(text, indentation: indentation)
            case .variable(let name, let escaped):
                guard let value = lookup(name) else { continue }
                let text = value.text
                if text.isEmpty { continue }
                if !indentation.isEmpty, atLineStart { output += indentation }
                if escaped { Self.appendEscaped(text, to: &output) } else { output += text }
            case .section(let name, let inner, let inverted):
                let value = lookup(name)
                if inverted {
                    if value?.isFalsy ?? true { render(inner, blocks: blocks, indentation: indentation) }
                    continue
                }
                guard let value, !value.isFalsy else { continue }
                switch value {
                case .list(let items):
                    for item in items {
                        stack.append(item)
                        render(inner, blocks: blocks, indentation: indentation)
                        stack.removeLast()
                    }
                case .bool:
                    render(inner, blocks: blocks, indentation: indentation)
                default:
                    stack.append(value)
                    render(inner, blocks: blocks, indentation: indentation)
                    stack.removeLast()
                }
            case .partial(let name, let own):
                guard let partial = templates[name] else { continue }
                render(partial, blocks: blocks, indentation: indentation + own)
            case .parent(let name, let overrides, let own):
                guard let parent = templates[name] else { continue }
                // The outermost override of a block wins.
                let merged = blocks.merging(overrides) { outer, _ in outer }
                render(parent, blocks: merged, indentation: indentation + own)
            case .block(let name, let fallback, let own):
                // An override is read where the block is, with the values in scope there.
                render(blocks[name] ?? fallback, blocks: blocks, indentation: indentation + own)
            }
        }
    }

    private var atLineStart: Bool { output.utf8.last.map { $0 == UInt8(ascii: "\n") } ?? true }

    /// Template text: inside an indented partial every line of it starts with the indentation.
    private mutating func write(_ text: String, indentation: String) {
        if indentation.isEmpty { output += text; return }
        var lineStart = text.utf8.startIndex
        while lineStart != text.utf8.endIndex {
            let newline = text.utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let lineEnd = newline.map { text.utf8.index(after: $0) } ?? text.utf8.endIndex
            if atLineStart { output += indentation }
            output += text[lineStart..<lineEnd]
            lineStart = lineEnd
        }
    }

    /// The first part of a name is looked for from the innermost open section outwards; the
    /// rest only inside what it found (a broken chain is empty, not looked up further out).
    private func lookup(_ name: TemplateName) -> TemplateValue? {
        guard let first = name.parts.first else { return stack.last }
        var found: TemplateValue?
        for value in stack.reversed() {
            if case .object(let fields) = value, let hit = fields[first] { found = hit; break }
        }
        for part in name.parts.dropFirst() {
            guard let value = found?[part] else { return nil }
            found = value
        }
        return found
    }

    /// HTML escaping of `& < > " '` byte by byte; text without them is appended as it is.
    static func appendEscaped(_ text: String, to output: inout String) {
        let bytes = text.utf8
        guard bytes.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            output += text
            return
        }
        var runStart = bytes.startIndex
        var index = runStart
        while index != bytes.endIndex {
            let replacement: String? = switch bytes[index] {
            case 0x26: "&amp;"
            case 0x3C: "&lt;"
            case 0x3E: "&gt;"
            case 0x22: "&quot;"
            case 0x27: "&#39;"
            default: nil
            }
            let next = bytes.index(after: index)
            if let replacement {
                output += text[runStart..<index]
                output += replacement
                runStart = next
            }
            index = next
        }
        output += text[runStart...]
    }
}
