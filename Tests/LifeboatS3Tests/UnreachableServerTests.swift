import LifeboatCore
import LifeboatStorage
import LifeboatTestSupport
import Testing
@testable import LifeboatS3

/// A server that cannot be reached is a broken repository, never a missing file: archive-get must not
/// tell PostgreSQL "end of archive" because the network is down.
@Suite("S3 driver without a server")
struct UnreachableServerTests {
    @Test func everyOperationFailsAsARepositoryErrorAfterBoundedRetries() async throws {
        let port = try FreePort.pick()  // nothing listens there
        let endpoint = try #require(S3Endpoint(endpoint: "http://127.0.0.1:\(port)", bucket: "b", uriStyle: .path))
        let storage = try S3Storage(settings: S3Settings(
            endpoint: endpoint, region: "us-east-1", prefix: "p",
            credentials: S3Credentials(accessKey: "AKID", secretKey: "do-not-print-me"),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02)))
        var failures: [LifeboatError] = []
        func record(_ body: () async throws -> Void) async {
            do { try await body() } catch { failures.append(error as? LifeboatError ?? LifeboatError(.internal, "\(error)")) }
        }
        await record { _ = try await storage.readAll("archive/x") }
        await record { _ = try await storage.openRead("archive/x") }
        await record { _ = try await storage.info("archive/x") }
        await record { _ = try await storage.list("archive") }
        await record { try await storage.write("f", contents: [1], options: WriteOptions(noReplace: true)) }
        await record { _ = try await storage.rootExists() }
        #expect(failures.count == 6)
        for failure in failures {
            #expect(failure.code == .repository, "\(failure.message)")
            #expect(failure.message.contains("after 3 attempts"), "\(failure.message)")
            #expect(!failure.message.contains("do-not-print-me"))
        }
    }
}
