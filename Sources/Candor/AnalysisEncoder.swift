import Foundation

// The one writer of the analysis JSON: `Analysis.encode(to:)` (and the types it contains)
// says what the document holds, in order; this encoder turns that into the document's
// layout. Any other encoder (JSONEncoder, a property-list encoder) gets the same keys
// and values; this one adds the layout `candor analyze` has always written: two-space
// indentation, scalar arrays on one line, frame tracks eight pairs a line and paged from
// the spill file, numbers rounded per field, and the compact sorted-keys objects of the
// timing, conversation, settings and score values.

/// A value that this encoder writes in a layout of its own (see `JSONValue`).
protocol JSONLayout {
    func jsonValue() throws -> JSONValue
}

/// Encodes `value` into the document tree (keys in encoding order).
func jsonTree<T: Encodable>(_ value: T) throws -> JSONValue {
    if let v = value as? any JSONLayout { return try v.jsonValue() }
    let root = TreeNode()
    try value.encode(to: TreeEncoder(node: root, codingPath: []))
    return root.resolved()
}

/// A number rounded to `digits` decimals when written (nil or non-finite: null). Other
/// encoders get the rounded value.
struct Rounded: Encodable, JSONLayout {
    var value: Double?
    var digits: Int
    init(_ value: Double?, _ digits: Int) {
        self.value = value
        self.digits = digits
    }
    func jsonValue() -> JSONValue { .num(value, digits) }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        guard let v = value, v.isFinite else { return try c.encodeNil() }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        try c.encode((v * p).rounded() / p)
    }
}

/// A value written as compact JSON with sorted keys (the JSONEncoder form), optionally
/// followed by extra fields in the given order (a mono estimate's per-speaker timing).
struct Compact<T: Encodable>: Encodable, JSONLayout {
    var value: T
    var extra: [(String, any Encodable)] = []
    init(_ value: T, extra: [(String, any Encodable)] = []) {
        self.value = value
        self.extra = extra
    }
    func jsonValue() throws -> JSONValue {
        var text = try compactJSON(value)
        guard !extra.isEmpty, text.hasSuffix("}") else { return .raw(text) }
        text.removeLast()
        var first = text.hasSuffix("{")
        for (key, v) in extra {
            var rendered: String
            if let layout = v as? any JSONLayout {
                let sink = StringSink()
                try layout.jsonValue().writeCompact(to: sink)
                rendered = sink.text
            } else {
                rendered = try compactJSON(v)
            }
            text += (first ? "" : ",") + escapeJSON(key) + ":" + rendered
            first = false
        }
        return .raw(text + "}")
    }
    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        guard !extra.isEmpty else { return }
        var c = encoder.container(keyedBy: NameKey.self)
        for (key, v) in extra { try c.encode(v, forKey: NameKey(key)) }
    }
}

/// Fields whose keys are data (feature names, speakers), in the order given.
struct OrderedFields<V: Encodable>: Encodable {
    var fields: [(String, V)]
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: NameKey.self)
        for (k, v) in fields { try c.encode(v, forKey: NameKey(k)) }
    }
}

/// Compact JSONEncoder text (sorted keys, slashes unescaped) of a value.
func compactJSON(_ value: any Encodable) throws -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try enc.encode(value), as: UTF8.self)
}

/// A coding key made from a string.
struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

// MARK: - The tree encoder

/// A node of the tree being encoded: a finished value, an object or an array.
final class TreeNode {
    enum Content {
        case unset
        case value(JSONValue)
        case object([(String, TreeNode)])
        case array([TreeNode])
    }
    var content: Content = .unset

    func resolved() -> JSONValue {
        switch content {
        case .unset: return .object([])
        case .value(let v): return v
        case .object(let fields): return .object(fields.map { ($0.0, $0.1.resolved()) })
        case .array(let items): return .array(items.map { $0.resolved() })
        }
    }

    func set(_ v: JSONValue) { content = .value(v) }

    func appendField(_ key: String) -> TreeNode {
        let child = TreeNode()
        if case .object(var fields) = content {
            // Encoding a key twice replaces it in place (as JSONEncoder does).
            if let i = fields.firstIndex(where: { $0.0 == key }) { fields[i].1 = child } else { fields.append((key, child)) }
            content = .object(fields)
        } else {
            content = .object([(key, child)])
        }
        return child
    }

    func appendItem() -> TreeNode {
        let child = TreeNode()
        if case .array(var items) = content {
            items.append(child)
            content = .array(items)
        } else {
            content = .array([child])
        }
        return child
    }

    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        if let v = value as? any JSONLayout { return set(try v.jsonValue()) }
        try value.encode(to: TreeEncoder(node: self, codingPath: codingPath))
    }
}

struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(TreeKeyed<Key>(node: node, codingPath: codingPath))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return TreeUnkeyed(node: node, codingPath: codingPath)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { TreeSingle(node: node, codingPath: codingPath) }
}

/// Scalars as document values: integers exact, floating point shortest form (null when not finite).
private func scalar(_ v: Bool) -> JSONValue { .bool(v) }
private func scalar(_ v: String) -> JSONValue { .string(v) }
private func scalar(_ v: Double) -> JSONValue { .num(v) }
private func scalar(_ v: Float) -> JSONValue { .num(Double(v)) }
private func scalar<I: BinaryInteger>(_ v: I) -> JSONValue { .int(Int(v)) }

struct TreeSingle: SingleValueEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]
    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(scalar(value)) }
    mutating func encode(_ value: String) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Double) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Float) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Int) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Int8) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Int16) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Int32) throws { node.set(scalar(value)) }
    mutating func encode(_ value: Int64) throws { node.set(scalar(value)) }
    mutating func encode(_ value: UInt) throws { node.set(scalar(value)) }
    mutating func encode(_ value: UInt8) throws { node.set(scalar(value)) }
    mutating func encode(_ value: UInt16) throws { node.set(scalar(value)) }
    mutating func encode(_ value: UInt32) throws { node.set(scalar(value)) }
    mutating func encode(_ value: UInt64) throws { node.set(scalar(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}

struct TreeKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    var codingPath: [any CodingKey]
    private func child(_ key: Key) -> TreeNode { node.appendField(key.stringValue) }
    mutating func encodeNil(forKey key: Key) throws { child(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { child(key).set(scalar(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).encode(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.appendField("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

struct TreeUnkeyed: UnkeyedEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }
    private func item() -> TreeNode { node.appendItem() }
    mutating func encodeNil() throws { item().set(.null) }
    mutating func encode(_ value: Bool) throws { item().set(scalar(value)) }
    mutating func encode(_ value: String) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Double) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Float) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Int) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Int8) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Int16) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Int32) throws { item().set(scalar(value)) }
    mutating func encode(_ value: Int64) throws { item().set(scalar(value)) }
    mutating func encode(_ value: UInt) throws { item().set(scalar(value)) }
    mutating func encode(_ value: UInt8) throws { item().set(scalar(value)) }
    mutating func encode(_ value: UInt16) throws { item().set(scalar(value)) }
    mutating func encode(_ value: UInt32) throws { item().set(scalar(value)) }
    mutating func encode(_ value: UInt64) throws { item().set(scalar(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try item().encode(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: item(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: item(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(node: item(), codingPath: codingPath) }
}
