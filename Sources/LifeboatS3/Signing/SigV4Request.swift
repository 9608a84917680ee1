/// What SigV4 signs about one HTTP request. `path` is already URI-encoded exactly as it is sent
/// (S3 signs the path as sent, without normalising it); query items and headers are raw values.
public struct SigV4Request: Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    /// Headers to sign (at least `host`). Names are matched case-insensitively.
    public var headers: [(name: String, value: String)]
    /// Lower-case hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadHash: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    public static func == (lhs: SigV4Request, rhs: SigV4Request) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.payloadHash == rhs.payloadHash
            && lhs.query.elementsEqual(rhs.query, by: { $0 == $1 })
            && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
    }
}
