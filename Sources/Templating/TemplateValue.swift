/// What a template reads: the tree a page model becomes. An enum rather than `Any`, so rendering
/// switches over cases instead of asking the runtime for protocol conformances at every tag.
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case int(Int)
    case double(Double)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// Mustache's falsy values: `false` and the empty list (a missing name is falsy too).
    var isFalsy: Bool {
        switch self {
        case .bool(let value): !value
        case .list(let items): items.isEmpty
        default: false
        }
    }

    /// The text an interpolation tag writes.
    public var text: String {
        switch self {
        case .string(let value): value
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .list, .object: ""
        }
    }

    public subscript(key: String) -> TemplateValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}

extension TemplateValue {
    /// A dictionary-shaped value as the mail code builds it (`[String: Any]` of strings, numbers,
    /// Bools, arrays, dictionaries and typed models); values of other types are left out, and so is nil.
    public init?(any value: Any?) {
        switch value {
        case nil: return nil
        case let v as TemplateValue: self = v
        case let v as String: self = .string(v)
        case let v as Bool: self = .bool(v)
        case let v as Int: self = .int(v)
        case let v as Double: self = .double(v)
        case let v as [String: Any]: self = .object(v.compactMapValues { TemplateValue(any: $0) })
        case let v as [Any]: self = .list(v.compactMap { TemplateValue(any: $0) })
        case let v as any Encodable:
            guard let tree = try? TemplateEncoder.encode(v) else { return nil }
            self = tree
        default: return nil
        }
    }
}
