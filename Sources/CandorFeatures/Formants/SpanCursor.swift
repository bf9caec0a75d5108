/// Answers "is time t inside one of these sorted, disjoint spans?" for non-decreasing t,
/// walking the spans once (ends included).
struct SpanCursor {
    let spans: [Span]
    private var next = 0

    init(_ spans: [Span]) { self.spans = spans }

    mutating func contains(_ t: Double) -> Bool {
        while next < spans.count && spans[next].end < t { next += 1 }
        return next < spans.count && spans[next].start <= t
    }
}
