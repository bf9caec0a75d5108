/// One time column of a reduced frame track: the min, max and mean of its accepted values and
/// how many there were.
public struct FrameColumn: Sendable, Equatable {
    public var min: Double
    public var max: Double
    public var mean: Double
    public var count: Int
}
