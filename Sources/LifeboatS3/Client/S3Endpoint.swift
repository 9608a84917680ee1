/// Where requests go: scheme, host, port, bucket, and whether the bucket is in the path
/// (`http://host/bucket/key`, what Ceph and MinIO default to) or in the host name
/// (`https://bucket.host/key`, AWS's default).
public struct S3Endpoint: Sendable, Equatable {
    public enum URIStyle: String, Sendable, CaseIterable {
        case path
        case host
    }

    public var secure: Bool
    public var host: String
    public var port: Int?
    public var bucket: String
    public var uriStyle: URIStyle

    public init(secure: Bool, host: String, port: Int?, bucket: String, uriStyle: URIStyle) {
        self.secure = secure
        self.host = host
        self.port = port
        self.bucket = bucket
        self.uriStyle = uriStyle
    }

    /// Parses `https://host[:port]`, `http://host:port` or a bare `host[:port]` (https). nil if malformed.
    public init?(endpoint: String, bucket: String, uriStyle: URIStyle) {
        var rest = Substring(endpoint)
        var secure = true
        if rest.hasPrefix("https://") { rest = rest.dropFirst(8) } else if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
            secure = false
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@"), !rest.contains("?") else { return nil }
        var host = String(rest)
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            port = value
            host = String(rest[..<colon])
        }
        guard !host.isEmpty, !bucket.isEmpty else { return nil }
        self.init(secure: secure, host: host, port: port, bucket: bucket, uriStyle: uriStyle)
    }

    /// The Host header (with the port when it is not the scheme's default), which SigV4 signs.
    public var hostHeader: String {
        let name = uriStyle == .host ? "\(bucket).\(host)" : host
        if let port, port != (secure ? 443 : 80) { return "\(name):\(port)" }
        return name
    }

    /// The URI-encoded path of an object key ("" for the bucket itself), exactly as sent and signed.
    public func path(forKey key: String) -> String {
        let encodedKey = URIEncoding.encode(key, keepSlash: true)
        switch uriStyle {
        case .path: return "/" + URIEncoding.encode(bucket, keepSlash: false) + (key.isEmpty ? "" : "/" + encodedKey)
        case .host: return "/" + encodedKey
        }
    }

    /// The full URL for a key and query (query values encoded as SigV4 encodes them, so that what is sent
    /// is what is signed).
    public func url(forKey key: String, query: [(name: String, value: String)] = []) -> String {
        var url = (secure ? "https://" : "http://") + hostHeader + path(forKey: key)
        if !query.isEmpty {
            url += "?" + query.map { item in
                URIEncoding.encode(item.name, keepSlash: false) + "=" + URIEncoding.encode(item.value, keepSlash: false)
            }.joined(separator: "&")
        }
        return url
    }

    /// For messages: `s3://bucket` at the endpoint. Never carries credentials.
    public var displayName: String {
        "s3:\(secure ? "https" : "http")://\(hostHeader)/\(uriStyle == .path ? bucket : "")"
    }
}
