import Testing
@testable import LifeboatS3

@Suite("S3 endpoints, keys and URLs")
struct EndpointTests {
    @Test func pathStyleKeepsTheBucketInThePath() throws {
        let endpoint = try #require(S3Endpoint(endpoint: "http://127.0.0.1:7480", bucket: "lifeboat", uriStyle: .path))
        #expect(endpoint.hostHeader == "127.0.0.1:7480")
        #expect(endpoint.path(forKey: "") == "/lifeboat")
        #expect(endpoint.path(forKey: "demo/archive/x y+z") == "/lifeboat/demo/archive/x%20y%2Bz")
        #expect(endpoint.url(forKey: "demo/f", query: [("partNumber", "2"), ("uploadId", "a/b=")])
            == "http://127.0.0.1:7480/lifeboat/demo/f?partNumber=2&uploadId=a%2Fb%3D")
        #expect(endpoint.url(forKey: "", query: [("uploads", "")]) == "http://127.0.0.1:7480/lifeboat?uploads=")
    }

    @Test func hostStylePutsTheBucketInTheHostName() throws {
        let endpoint = try #require(S3Endpoint(endpoint: "s3.eu-west-3.amazonaws.com", bucket: "my-backups", uriStyle: .host))
        #expect(endpoint.secure)
        #expect(endpoint.hostHeader == "my-backups.s3.eu-west-3.amazonaws.com")
        #expect(endpoint.path(forKey: "") == "/")
        #expect(endpoint.path(forKey: "a/café") == "/a/caf%C3%A9")
        #expect(endpoint.url(forKey: "a") == "https://my-backups.s3.eu-west-3.amazonaws.com/a")
    }

    @Test func defaultPortsAreLeftOutOfTheHostHeader() throws {
        #expect(S3Endpoint(endpoint: "https://h:443", bucket: "b", uriStyle: .path)?.hostHeader == "h")
        #expect(S3Endpoint(endpoint: "http://h:80/", bucket: "b", uriStyle: .path)?.hostHeader == "h")
        #expect(S3Endpoint(endpoint: "https://h:8443", bucket: "b", uriStyle: .path)?.hostHeader == "h:8443")
    }

    @Test func malformedEndpointsAreRefused() {
        for text in ["", "http://", "http://h:0", "http://h:99999", "http://h:x", "http://user@h", "http://h/path", "h?x"] {
            #expect(S3Endpoint(endpoint: text, bucket: "b", uriStyle: .path) == nil, "\(text)")
        }
        #expect(S3Endpoint(endpoint: "h", bucket: "", uriStyle: .path) == nil)
    }

    @Test func uriEncodingFollowsSigV4() {
        #expect(URIEncoding.encode("AZaz09-._~", keepSlash: false) == "AZaz09-._~")
        #expect(URIEncoding.encode("a/b c", keepSlash: true) == "a/b%20c")
        #expect(URIEncoding.encode("a/b c", keepSlash: false) == "a%2Fb%20c")
        #expect(URIEncoding.encode("=&+*é", keepSlash: false) == "%3D%26%2B%2A%C3%A9")
    }

    @Test func prefixIsNormalisedAndKeysAreJoined() {
        #expect(S3Settings.normalisedPrefix("/a//b/") == "a/b")
        #expect(S3Settings.normalisedPrefix("/") == "")
        let keys = S3Keys(prefix: "repo")
        #expect(keys.key("demo/stanza.json") == "repo/demo/stanza.json")
        #expect(keys.directoryPrefix("") == "repo/")
        #expect(keys.directoryPrefix("demo") == "repo/demo/")
        let bare = S3Keys(prefix: "")
        #expect(bare.key("demo") == "demo")
        #expect(bare.directoryPrefix("") == "")
    }
}
