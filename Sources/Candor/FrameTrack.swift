import CandorFeatures

/// One per-frame track of a channel (pitch in Hz, or intensity in dB) on a regular frame
/// grid, written as `[[t, value], ...]` (t the frame centre in seconds).
///
/// A track of an analysis just computed is paged from the analysis's temporary spill file:
/// ``values(_:)`` reads only the frames asked for, and encoding streams the track in pages,
/// so its size in memory does not grow with the recording's duration. A decoded track holds
/// its values in memory.
public struct FrameTrack: Sendable, Codable {
    /// What the values are, which decides how they are written.
    public enum Kind: Sendable {
        /// F0 in Hz, 0 for an unvoiced frame (written as null); two decimals.
        case f0
        /// A level in dB; two decimals.
        case level
    }

    /// The frames: centre of frame `i` at `grid.time(i)` seconds.
    public let grid: FrameGrid
    /// What the values are.
    public let kind: Kind
    private let load: @Sendable (Range<Int>) throws -> [Float]

    /// A track whose frames `r` are read by `load` (which must return `r.count` values).
    public init(grid: FrameGrid, kind: Kind, load: @escaping @Sendable (Range<Int>) throws -> [Float]) {
        self.grid = grid
        self.kind = kind
        self.load = load
    }

    /// A track held in memory (`values.count == grid.count`).
    public init(grid: FrameGrid, kind: Kind, values: [Float]) {
        precondition(values.count == grid.count, "one value per frame")
        self.init(grid: grid, kind: kind) { r in Array(values[r]) }
    }

    /// Frames `r` (within `0..<grid.count`).
    public func values(_ r: Range<Int>) throws -> [Float] { try load(r) }

    /// Every frame: for short recordings and tests (a three-hour track is about 4 MB).
    public func allValues() throws -> [Float] { try load(0..<grid.count) }

    /// Decimals written for a value.
    var digits: Int { 2 }
    /// Frames per page when streamed.
    static let page = 1 << 15

    /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        var a = 0
        while a < grid.count {
            let b = min(grid.count, a + Self.page)
            let values = try load(a..<b)
            for (k, v) in values.enumerated() {
                var pair = c.nestedUnkeyedContainer()
                try pair.encode(Rounded(grid.time(a + k), 5))
                if (kind == .f0 && v == 0) || !v.isFinite { try pair.encodeNil() } else { try pair.encode(Rounded(Double(v), digits)) }
            }
            a = b
        }
    }

    /// Reads `[[t, value], ...]`; the grid starts at the first t and steps by `timeStep`.
    init(from decoder: any Decoder, timeStep: Double, kind: Kind) throws {
        var c = try decoder.unkeyedContainer()
        var t1: Double?
        var values: [Float] = []
        while !c.isAtEnd {
            var pair = try c.nestedUnkeyedContainer()
            let t = try pair.decode(Double.self)
            if t1 == nil { t1 = t }
            let v = try pair.decodeNil() ? (kind == .f0 ? 0 : Float.nan) : Float(try pair.decode(Double.self))
            values.append(v)
        }
        self.init(grid: FrameGrid(t1: t1 ?? 0, dt: timeStep, count: values.count), kind: kind, values: values)
    }

    /// Without the time step (a lone track): the step is taken from the first two frames.
    public init(from decoder: any Decoder) throws {
        var probe = try decoder.unkeyedContainer()
        var times: [Double] = []
        while !probe.isAtEnd, times.count < 2 {
            var pair = try probe.nestedUnkeyedContainer()
            times.append(try pair.decode(Double.self))
        }
        let step = times.count == 2 ? times[1] - times[0] : 0.01
        try self.init(from: decoder, timeStep: step, kind: .level)
    }
}

extension FrameTrack: JSONLayout {
    func jsonValue() -> JSONValue {
        .pagedFrames(grid, load, digits: digits, zeroIsNull: kind == .f0)
    }
}
