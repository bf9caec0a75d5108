/// Reduces (time, value) frames to `columns` equal time bins of [0, end): min, max, sum and
/// count per bin, in constant memory per column. Frames outside [0, end) and values `accept`
/// refuses are skipped.
public struct FrameReducer {
    let columns: Int
    let scale: Double
    let accept: (Double) -> Bool
    var mins: [Double]
    var maxs: [Double]
    var sums: [Double]
    var counts: [Int]

    public init(columns: Int, end: Double, accept: @escaping (Double) -> Bool = { $0.isFinite }) {
        self.columns = Swift.max(0, columns)
        scale = end > 0 ? Double(columns) / end : 0
        self.accept = accept
        mins = [Double](repeating: .infinity, count: self.columns)
        maxs = [Double](repeating: -.infinity, count: self.columns)
        sums = [Double](repeating: 0, count: self.columns)
        counts = [Int](repeating: 0, count: self.columns)
    }

    public mutating func add(_ t: Double, _ x: Double) {
        guard accept(x), t.isFinite else { return }
        let c = Int(t * scale)
        guard c >= 0, c < columns else { return }
        if x < mins[c] { mins[c] = x }
        if x > maxs[c] { maxs[c] = x }
        sums[c] += x
        counts[c] += 1
    }

    public var result: [FrameColumn?] {
        (0..<columns).map { c in
            counts[c] == 0 ? nil : FrameColumn(min: mins[c], max: maxs[c], mean: sums[c] / Double(counts[c]), count: counts[c])
        }
    }
}
