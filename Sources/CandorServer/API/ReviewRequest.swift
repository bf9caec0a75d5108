/// The body of `POST …/reviews`: the record reviewed, the kind (note, override, disregard),
/// the note, and for an override the new value.
struct ReviewRequest: Decodable, Sendable {
    var concernsSeq: Int
    var kind: String
    var note: String
    var override: String?

    enum CodingKeys: String, CodingKey {
        case kind, note, override
        case concernsSeq = "concerns_seq"
    }
}
