/// A reply whose body was read whole (small replies: XML, errors, ranged chunks of bounded size).
public struct S3Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var error: S3ErrorBody? { S3ErrorBody.decode(body) }
}

/// One HTTP exchange as the client sends it.
public struct S3Call: Sendable {
    public var method: String
    /// Object key ("" for the bucket).
    public var key: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, key: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.key = key
        self.query = query
        self.headers = headers
        self.body = body
    }
}
