/// The body of `POST /api/v1/login`.
struct LoginRequest: Decodable, Sendable {
    var user: String
    var password: String
}
