import Crypto

/// AWS Signature Version 4 (header-based), as S3 and every S3-compatible server check it.
/// The steps are separate public functions so the known-answer tests can check each intermediate
/// (canonical request, string to sign, signature) against botocore and the AWS test suite.
public struct SigV4Signer: Sendable {
    public let credentials: S3Credentials
    public let region: String
    public let service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The request's headers plus `x-amz-date`, `x-amz-security-token` (with a session token) and
    /// `Authorization`. `amzDate` is `yyyyMMdd'T'HHmmss'Z'` (see `SigV4Date`).
    public func sign(_ request: SigV4Request, amzDate: String) -> [(name: String, value: String)] {
        var signed = request
        signed.headers.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { signed.headers.append(("x-amz-security-token", token)) }
        let authorization = authorizationHeader(signed, amzDate: amzDate)
        return signed.headers + [("Authorization", authorization)]
    }

    /// The `Authorization` header for a request whose headers already include `x-amz-date`.
    public func authorizationHeader(_ request: SigV4Request, amzDate: String) -> String {
        let scope = credentialScope(amzDate: amzDate)
        let canonical = Self.canonicalRequest(request)
        let toSign = Self.stringToSign(canonicalRequest: canonical, amzDate: amzDate, scope: scope)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(
            for: Array(toSign.utf8), using: signingKey(date: String(amzDate.prefix(8)))))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), "
            + "SignedHeaders=\(Self.signedHeaders(request.headers)), Signature=\(signature)"
    }

    public func credentialScope(amzDate: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    public func signingKey(date: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretKey).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    public static func canonicalRequest(_ request: SigV4Request) -> String {
        var pairs: [(name: String, value: String)] = []
        for item in request.query {
            pairs.append((URIEncoding.encode(item.name, keepSlash: false), URIEncoding.encode(item.value, keepSlash: false)))
        }
        // Sorted by encoded name, then value, in byte order.
        pairs.sort { left, right in
            if left.name != right.name { return left.name.utf8.lexicographicallyPrecedes(right.name.utf8) }
            return left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
        }
        let query = pairs.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        let headers = canonicalHeaders(request.headers)
        let headerLines = headers.map { "\($0.name):\($0.value)\n" }.joined()
        return [request.method, request.path, query, headerLines, signedHeaders(request.headers), request.payloadHash]
            .joined(separator: "\n")
    }

    public static func stringToSign(canonicalRequest: String, amzDate: String, scope: String) -> String {
        ["AWS4-HMAC-SHA256", amzDate, scope, hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
    }

    public static func signedHeaders(_ headers: [(name: String, value: String)]) -> String {
        canonicalHeaders(headers).map(\.name).joined(separator: ";")
    }

    /// Lower-case names, values trimmed with inner runs of spaces collapsed, repeated names joined by ",",
    /// sorted by name.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(collapseSpaces(value))
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    private static func collapseSpaces(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
