/// Turns a typed page model (`Encodable`) into the value tree templates read. Two rules make
/// sections behave:
/// - a nil optional is left out (so `{{#url}}…{{/url}}` stays closed);
/// - an empty string field is left out (Mustache would open a section for "").
/// Strings inside arrays are kept as they are.
public enum TemplateEncoder {
    public static func encode(_ value: some Encodable) throws -> TemplateValue? {
        if let leaf = leaf(value) { return leaf }
        let encoder = TreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        return encoder.tree
    }

    /// The values templates print directly, without going through `Encoder`.
    fileprivate static func leaf(_ value: some Encodable) -> TemplateValue? {
        switch value {
        case let v as String: .string(v)
        case let v as Bool: .bool(v)
        case let v as Int: .int(v)
        case let v as Double: .double(v)
        case let v as TemplateValue: v
        default: nil
        }
    }
}

extension TemplateValue: Encodable {
    /// Encodes as the JSON-like tree it is (a value may sit inside a typed model).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .bool(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .int(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .double(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .list(let items): var c = encoder.unkeyedContainer(); for item in items { try c.encode(item) }
        case .object(let fields):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in fields { try c.encode(value, forKey: AnyKey(stringValue: key)) }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Containers asked for by a custom `encode(to:)` (nested ones are filled after they are
/// handed out, so they are kept as boxes and read when the tree is finished).
private protocol NestedBox: AnyObject { var resolved: TemplateValue { get } }

private final class ObjectBox: NestedBox {
    var fields: [String: TemplateValue] = [:]
    var nested: [(String, any NestedBox)] = []
    var resolved: TemplateValue {
        var all = fields
        for (key, box) in nested { all[key] = box.resolved }
        return .object(all)
    }
}

private final class ListBox: NestedBox {
    var items: [TemplateValue] = []
    var nested: [(Int, any NestedBox)] = []
    var resolved: TemplateValue {
        var all = items
        for (index, box) in nested { all[index] = box.resolved }
        return .list(all)
    }
}

private final class TreeEncoder: Encoder {
    enum Storage { case empty, object(ObjectBox), list(ListBox), value(TemplateValue) }
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var storage = Storage.empty

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    var tree: TemplateValue? {
        switch storage {
        case .empty: nil
        case .object(let box): box.resolved
        case .list(let box): box.resolved
        case .value(let value): value
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let box) = storage { return KeyedEncodingContainer(KeyedTree(box: box, codingPath: codingPath)) }
        let box = ObjectBox()
        storage = .object(box)
        return KeyedEncodingContainer(KeyedTree(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .list(let box) = storage { return UnkeyedTree(box: box, codingPath: codingPath) }
        let box = ListBox()
        storage = .list(box)
        return UnkeyedTree(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTree(encoder: self) }

    /// One nested value: a leaf directly, anything else through its own encoder.
    static func encode(_ value: some Encodable, at path: [any CodingKey]) throws -> TemplateValue? {
        if let leaf = TemplateEncoder.leaf(value) { return leaf }
        let encoder = TreeEncoder(codingPath: path)
        try value.encode(to: encoder)
        return encoder.tree
    }
}

private struct KeyedTree<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ObjectBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}

    mutating func encode(_ value: String, forKey key: Key) throws {
        if !value.isEmpty { box.fields[key.stringValue] = .string(value) }
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.fields[key.stringValue] = .bool(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.fields[key.stringValue] = .int(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let text = value as? String { return try encode(text, forKey: key) }
        if let tree = try TreeEncoder.encode(value, at: codingPath + [key]) { box.fields[key.stringValue] = tree }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectBox()
        box.nested.append((key.stringValue, nested))
        return KeyedEncodingContainer(KeyedTree<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ListBox()
        box.nested.append((key.stringValue, nested))
        return UnkeyedTree(box: nested, codingPath: codingPath + [key])
    }

    // Page models are plain structs: no class inheritance to encode.
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(codingPath: codingPath + [key]) }
}

private struct UnkeyedTree: UnkeyedEncodingContainer {
    let box: ListBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    mutating func encodeNil() throws {}

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let tree = try TreeEncoder.encode(value, at: codingPath) { box.items.append(tree) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectBox()
        placeholder(for: nested)
        return KeyedEncodingContainer(KeyedTree<NestedKey>(box: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ListBox()
        placeholder(for: nested)
        return UnkeyedTree(box: nested, codingPath: codingPath)
    }

    private func placeholder(for nested: any NestedBox) {
        box.nested.append((box.items.count, nested))
        box.items.append(.bool(false))
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath) }
}

private struct SingleTree: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws {}

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let tree = try TreeEncoder.encode(value, at: codingPath) { encoder.storage = .value(tree) }
    }
}
