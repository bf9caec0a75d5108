/// A parsed JSON document. Arrays of number pairs (`[[t, v], ...]`: frame tracks and spans)
/// are stored compactly as `.pairs` so that a three-hour contour (a million frames) costs
/// 16 bytes per frame instead of a tree node per number.
public indirect enum JSONNode: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    /// Keys in document order (duplicates keep the last value on lookup).
    case object([(String, JSONNode)])
    /// `[[a, b], ...]` where a and b are numbers or null (null → NaN).
    case pairs([Double], [Double])
    /// A frame track reduced while it was read (``JSONReader/FrameMode/reduce(columns:end:)``):
    /// per time column, the min, max, mean and count of its values.
    case columns([FrameColumn?])

    public subscript(key: String) -> JSONNode? {
        guard case .object(let fields) = self else { return nil }
        return fields.last { $0.0 == key }?.1
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A number, or nil for null, NaN or non-numbers.
    public var double: Double? {
        if case .number(let d) = self, d.isFinite { return d }
        return nil
    }

    public var int: Int? {
        guard let d = double, d == d.rounded(), abs(d) < 9e15 else { return nil }
        return Int(d)
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Array elements (a `.pairs` array is expanded into two-element arrays).
    public var array: [JSONNode]? {
        switch self {
        case .array(let a): return a
        case .pairs(let x, let y):
            return (0..<x.count).map { i in .array([x[i].isNaN ? .null : .number(x[i]), y[i].isNaN ? .null : .number(y[i])]) }
        default: return nil
        }
    }

    public var fields: [(String, JSONNode)]? {
        if case .object(let f) = self { return f }
        return nil
    }

    /// Columns of a `[[a, b], ...]` array (null → NaN); an empty array gives empty columns.
    public var pairColumns: (a: [Double], b: [Double])? {
        switch self {
        case .pairs(let x, let y): return (x, y)
        case .array(let items):
            var x: [Double] = [], y: [Double] = []
            for item in items {
                guard case .array(let p) = item, p.count == 2 else { return nil }
                x.append(p[0].double ?? .nan)
                y.append(p[1].double ?? .nan)
            }
            return (x, y)
        default: return nil
        }
    }
}
