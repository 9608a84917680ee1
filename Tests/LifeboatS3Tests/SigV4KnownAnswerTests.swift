import Foundation
import Testing
@testable import LifeboatS3

/// SigV4 against answers computed elsewhere: the AWS SigV4 test suite (Apache-2.0), the examples of
/// the S3 API reference, and vectors botocore generated with a pinned clock (Vectors/).
@Suite("SigV4 known answers")
struct SigV4KnownAnswerTests {
    // MARK: AWS SigV4 test suite (aws-sig-v4-test-suite, Apache-2.0): service "service", us-east-1.

    static let suiteSigner = SigV4Signer(
        credentials: S3Credentials(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let suiteDate = "20150830T123600Z"

    struct SuiteCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let request: SigV4Request
        let signature: String
    }

    static let suiteCases: [SuiteCase] = [
        SuiteCase(
            testDescription: "get-vanilla",
            request: SigV4Request(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")], payloadHash: SigV4Signer.emptyPayloadHash),
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            testDescription: "post-vanilla",
            request: SigV4Request(method: "POST", path: "/", headers: [("Host", "example.amazonaws.com")], payloadHash: SigV4Signer.emptyPayloadHash),
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase(
            testDescription: "get-vanilla-query-order-key-case",
            request: SigV4Request(
                method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
                headers: [("Host", "example.amazonaws.com")], payloadHash: SigV4Signer.emptyPayloadHash),
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteCase(
            testDescription: "post-x-www-form-urlencoded",
            request: SigV4Request(
                method: "POST", path: "/",
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com")],
                payloadHash: SigV4Signer.sha256Hex(Array("Param1=value1".utf8))),
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        SuiteCase(
            testDescription: "get-header-value-trim",
            request: SigV4Request(
                method: "GET", path: "/",
                headers: [("Host", "example.amazonaws.com"), ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
                payloadHash: SigV4Signer.emptyPayloadHash),
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ]

    @Test(arguments: suiteCases)
    func awsTestSuite(_ suiteCase: SuiteCase) {
        let headers = Self.suiteSigner.sign(suiteCase.request, amzDate: Self.suiteDate)
        let authorization = headers.first { $0.name == "Authorization" }?.value ?? ""
        #expect(authorization.hasSuffix("Signature=" + suiteCase.signature), "\(authorization)")
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="))
    }

    @Test func getVanillaIntermediates() {
        var request = Self.suiteCases[0].request
        request.headers.append(("X-Amz-Date", Self.suiteDate))
        let canonical = SigV4Signer.canonicalRequest(request)
        #expect(canonical == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        let scope = Self.suiteSigner.credentialScope(amzDate: Self.suiteDate)
        #expect(SigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: Self.suiteDate, scope: scope) == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
    }

    // MARK: The S3 API reference's worked example ("Signature Calculations for the Authorization Header").

    @Test func s3ReferenceGetObjectWithRange() {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1")
        let request = SigV4Request(
            method: "GET", path: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                      ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)],
            payloadHash: SigV4Signer.emptyPayloadHash)
        let authorization = signer.sign(request, amzDate: "20130524T000000Z").first { $0.name == "Authorization" }?.value
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    // MARK: botocore, pinned clock (Vectors/generate_botocore_vectors.py → Vectors/botocore-sigv4.json).

    struct BotocoreCase: Decodable, Sendable, CustomTestStringConvertible {
        let name, method, path, payloadHash, region, service, accessKey, secretKey, amzDate: String
        let sessionToken: String?
        let query: [[String]]
        let headers: [[String]]
        let canonicalRequest, stringToSign, authorization: String
        var testDescription: String { name }
    }

    static let botocoreCases: [BotocoreCase] = {
        struct File: Decodable { let cases: [BotocoreCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/botocore-sigv4.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()

    @Test func botocoreVectorsArePresent() {
        #expect(Self.botocoreCases.count >= 10)
    }

    @Test(arguments: botocoreCases)
    func botocore(_ vector: BotocoreCase) {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKey: vector.accessKey, secretKey: vector.secretKey, sessionToken: vector.sessionToken),
            region: vector.region, service: vector.service)
        let request = SigV4Request(
            method: vector.method, path: vector.path, query: vector.query.map { ($0[0], $0[1]) },
            headers: vector.headers.map { ($0[0], $0[1]) }, payloadHash: vector.payloadHash)
        let signed = signer.sign(request, amzDate: vector.amzDate)
        var withDate = request
        withDate.headers = signed.filter { $0.name != "Authorization" }
        let canonical = SigV4Signer.canonicalRequest(withDate)
        #expect(canonical == vector.canonicalRequest)
        #expect(SigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: vector.amzDate, scope: signer.credentialScope(amzDate: vector.amzDate)) == vector.stringToSign)
        #expect(signed.first { $0.name == "Authorization" }?.value == vector.authorization)
        if let token = vector.sessionToken {
            #expect(signed.contains { $0.name == "x-amz-security-token" && $0.value == token })
        }
    }

    @Test func amzDateIsUTCAndZeroPadded() {
        #expect(SigV4Date.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(SigV4Date.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
        #expect(SigV4Date.amzDate(Date(timeIntervalSince1970: 1_795_266_479.9)) == "20261121T130759Z")
        #expect(SigV4Date.amzDate(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
    }

    @Test func credentialsNeverPrintTheirSecret() {
        let credentials = S3Credentials(accessKey: "AKID", secretKey: "very-secret-value")
        #expect(!"\(credentials)".contains("very-secret-value"))
        #expect(!String(reflecting: credentials).contains("very-secret-value"))
    }
}
