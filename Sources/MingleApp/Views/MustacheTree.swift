/// Turns a typed page model (`Encodable`) into what Mustache reads: string-keyed dictionaries,
/// arrays, strings, numbers and Bools. Two rules make sections behave:
/// - a nil optional is left out (Mustache treats an Optional boxed in `Any` as present);
/// - an empty string field is left out (Mustache opens `{{#url}}…{{/url}}` for "").
/// Strings inside arrays are kept as they are.
enum MustacheTree {
    static func make(_ value: some Encodable) throws -> Any? {
        if let leaf = leaf(value) { return leaf }
        let encoder = TreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        return encoder.tree
    }

    /// The values Mustache renders directly, without going through `Encoder`.
    fileprivate static func leaf(_ value: some Encodable) -> Any? {
        switch value {
        case let v as String: v
        case let v as Bool: v
        case let v as Int: v
        case let v as Double: v
        default: nil
        }
    }
}

/// Containers asked for by a custom `encode(to:)` (nested ones are filled after they are
/// handed out, so they are kept as boxes and read when the tree is finished).
private protocol NestedBox: AnyObject { var resolved: Any { get } }

private final class DictionaryBox: NestedBox {
    var fields: [String: Any] = [:]
    var nested: [(String, any NestedBox)] = []
    var resolved: Any {
        var all = fields
        for (key, box) in nested { all[key] = box.resolved }
        return all
    }
}

private final class ArrayBox: NestedBox {
    var items: [Any] = []
    var nested: [(Int, any NestedBox)] = []
    var resolved: Any {
        var all = items
        for (index, box) in nested { all[index] = box.resolved }
        return all
    }
}

private final class TreeEncoder: Encoder {
    enum Storage { case empty, dictionary(DictionaryBox), array(ArrayBox), value(Any) }
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var storage = Storage.empty

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    var tree: Any? {
        switch storage {
        case .empty: nil
        case .dictionary(let box): box.resolved
        case .array(let box): box.resolved
        case .value(let value): value
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .dictionary(let box) = storage { return KeyedEncodingContainer(KeyedTree(box: box, codingPath: codingPath)) }
        let box = DictionaryBox()
        storage = .dictionary(box)
        return KeyedEncodingContainer(KeyedTree(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let box) = storage { return UnkeyedTree(box: box, codingPath: codingPath) }
        let box = ArrayBox()
        storage = .array(box)
        return UnkeyedTree(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTree(encoder: self) }

    /// One nested value: a leaf directly, anything else through its own encoder.
    static func encode(_ value: some Encodable, at path: [any CodingKey]) throws -> Any? {
        if let leaf = MustacheTree.leaf(value) { return leaf }
        let encoder = TreeEncoder(codingPath: path)
        try value.encode(to: encoder)
        return encoder.tree
    }
}

private struct KeyedTree<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: DictionaryBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}

    mutating func encode(_ value: String, forKey key: Key) throws {
        if !value.isEmpty { box.fields[key.stringValue] = value }
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let text = value as? String { return try encode(text, forKey: key) }
        if let tree = try TreeEncoder.encode(value, at: codingPath + [key]) { box.fields[key.stringValue] = tree }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = DictionaryBox()
        box.nested.append((key.stringValue, nested))
        return KeyedEncodingContainer(KeyedTree<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        box.nested.append((key.stringValue, nested))
        return UnkeyedTree(box: nested, codingPath: codingPath + [key])
    }

    // Page models are plain structs: no class inheritance to encode.
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(codingPath: codingPath + [key]) }
}

private struct UnkeyedTree: UnkeyedEncodingContainer {
    let box: ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    mutating func encodeNil() throws {}

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let tree = try TreeEncoder.encode(value, at: codingPath) { box.items.append(tree) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = DictionaryBox()
        placeholder(for: nested)
        return KeyedEncodingContainer(KeyedTree<NestedKey>(box: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        placeholder(for: nested)
        return UnkeyedTree(box: nested, codingPath: codingPath)
    }

    private func placeholder(for nested: any NestedBox) {
        box.nested.append((box.items.count, nested))
        box.items.append(0)
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
