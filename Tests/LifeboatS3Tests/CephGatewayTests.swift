import Foundation
import LifeboatCore
import LifeboatStorage
import LifeboatTestSupport
import Testing
@testable import LifeboatS3

/// The S3 driver against a real Ceph RGW, which verifies SigV4 signatures and body hashes: what the
/// server refuses, and what survives the faults of `S3FaultProxy`. What Lifeboat wrote is read back
/// with the AWS CLI, an independent client.
@Suite("S3 driver on Ceph RGW", .serialized)
struct CephGatewayTests {
    static func storage(
        _ rgw: CephRGW, endpoint: String? = nil, secret: String? = nil, label: String, partSize: Int = 5 << 20,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 8, baseDelay: 0.02, maxDelay: 0.5)
    ) throws -> S3Storage {
        let target = try #require(S3Endpoint(endpoint: endpoint ?? rgw.endpoint, bucket: rgw.bucket, uriStyle: .path))
        return try S3Storage(settings: S3Settings(
            endpoint: target, region: rgw.region, prefix: CephRGW.uniquePrefix(label),
            credentials: S3Credentials(accessKey: rgw.accessKey, secretKey: secret ?? rgw.secretKey), retry: retry,
            partSize: partSize, uploadConcurrency: 3))
    }

    static func pattern(_ count: Int, seed: UInt32) -> [UInt8] {
        var state = seed &* 2_654_435_761 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    @Test func aWrongSecretIsRefusedByTheServerAndNeverPrinted() async throws {
        let rgw = try await CephRGW.shared()
        let wrong = "not-the-secret-\(UInt32.random(in: 0...UInt32.max))"
        let storage = try Self.storage(rgw, secret: wrong, label: "wrong-secret")
        let error = await #expect(throws: LifeboatError.self) {
            try await storage.write("f", contents: [1, 2, 3], options: WriteOptions())
        }
        #expect(error?.code == .repository)
        #expect(error?.message.contains("403") == true)
        #expect(error?.message.contains("SignatureDoesNotMatch") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("'f'") == true)
        #expect(error.map { "\($0.message) \($0.hint ?? "")" }?.contains(wrong) == false)
        #expect(error?.message.contains("Signature=") == false)
        // A read is refused the same way: never mistaken for a missing file.
        let read = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("f") }
        #expect(read?.code == .repository)
    }

    @Test func aBodyThatDoesNotMatchItsSignedHashIsRefused() async throws {
        let rgw = try await CephRGW.shared()
        let storage = try Self.storage(rgw, label: "body-hash")
        let outcome = try await storage.client.send(
            S3Call(method: "PUT", key: storage.keys.key("tampered"), body: Array("the real body".utf8)),
            describe: "test", claimedPayloadHash: SigV4Signer.sha256Hex(Array("another body".utf8)))
        #expect(outcome.response.status == 400)
        #expect(outcome.response.error?.code == "XAmzContentSHA256Mismatch")
        #expect(try await storage.info("tampered") == nil)
    }

    @Test func whatLifeboatWritesTheAWSCLIReadsBack() async throws {
        let rgw = try await CephRGW.shared()
        let storage = try Self.storage(rgw, label: "aws-cli")
        let large = Self.pattern(12 << 20 + 77, seed: 3)  // three 5 MiB-or-less parts
        var writer = try await storage.create("dir/large.bin", options: WriteOptions())
        for start in stride(from: 0, to: large.count, by: 1 << 20) {
            try await writer.write(Array(large[start..<min(start + (1 << 20), large.count)]))
        }
        try await writer.commit()
        try await storage.write("dir/small name+é.txt", contents: Array("small".utf8), options: WriteOptions(noReplace: true))

        let listing = try await rgw.aws(["s3", "ls", "--recursive", "s3://\(rgw.bucket)/\(storage.settings.prefix)/"])
        #expect(listing.exitCode == 0, "\(listing.stderr)")
        #expect(listing.stdout.contains("\(storage.settings.prefix)/dir/large.bin"))
        #expect(listing.stdout.contains("\(storage.settings.prefix)/dir/small name+é.txt"))

        let head = try await rgw.aws(["s3api", "head-object", "--bucket", rgw.bucket, "--key", "\(storage.settings.prefix)/dir/large.bin"])
        #expect(head.stdout.contains("-3\\\""), "a three-part multipart upload: \(head.stdout)")
        let copy = NSTemporaryDirectory() + "lifeboat-aws-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(copy) }
        let download = try await rgw.aws(["s3", "cp", "s3://\(rgw.bucket)/\(storage.settings.prefix)/dir/large.bin", copy])
        #expect(download.exitCode == 0, "\(download.stderr)")
        #expect(Array(FileManager.default.contents(atPath: copy) ?? Data()) == large)
    }

    @Test func slowDownRepliesOnSomePartsAreRetried() async throws {
        let rgw = try await CephRGW.shared()
        let proxy = try S3FaultProxy(upstream: rgw.endpoint, faults: .init(slowdownEveryNthPart: 2))
        defer { proxy.stop() }
        let storage = try Self.storage(rgw, endpoint: proxy.endpoint, label: "slowdown")
        let content = Self.pattern(23 << 20, seed: 5)
        try await storage.write("big", contents: content, options: WriteOptions())
        #expect(proxy.stats()["slowdown", default: 0] >= 2)
        #expect(try await storage.readAll("big") == content)
    }

    @Test func aConnectionResetMidUploadIsRetried() async throws {
        let rgw = try await CephRGW.shared()
        let proxy = try S3FaultProxy(upstream: rgw.endpoint, faults: .init(resetEveryNthPut: 2))
        defer { proxy.stop() }
        let storage = try Self.storage(rgw, endpoint: proxy.endpoint, label: "reset")
        let big = Self.pattern(16 << 20 + 3, seed: 7)
        try await storage.write("big", contents: big, options: WriteOptions())
        for index in 0..<4 {
            try await storage.write("small-\(index)", contents: Self.pattern(1000 + index, seed: UInt32(index)), options: WriteOptions(noReplace: true))
        }
        #expect(proxy.stats()["reset", default: 0] >= 3)
        #expect(try await storage.readAll("big") == big)
        for index in 0..<4 {
            #expect(try await storage.readAll("small-\(index)") == Self.pattern(1000 + index, seed: UInt32(index)))
        }
    }

    @Test func aReplyLostAfterTheServerStoredTheObjectStillEndsCorrectly() async throws {
        let rgw = try await CephRGW.shared()
        // Every successful store's reply is lost once: the retry of a conditional PUT then meets its own
        // object (412) and must recognise it.
        let proxy = try S3FaultProxy(upstream: rgw.endpoint, faults: .init(dropReplyOfEveryNthStore: 1))
        defer { proxy.stop() }
        let storage = try Self.storage(rgw, endpoint: proxy.endpoint, label: "dropped")
        let wal = Self.pattern(3 << 20, seed: 9)
        try await storage.write("archive/segment", contents: wal, options: WriteOptions(noReplace: true))
        #expect(proxy.stats()["dropped", default: 0] >= 1)
        #expect(try await storage.readAll("archive/segment") == wal)

        // Different content under the same name is still refused, and the stored object kept.
        let other = await #expect(throws: LifeboatError.self) {
            try await storage.write("archive/segment", contents: Self.pattern(3 << 20, seed: 10), options: WriteOptions(noReplace: true))
        }
        #expect(other?.code == .alreadyExists)
        #expect(try await storage.readAll("archive/segment") == wal)
    }

    @Test func aLostCompletionReplyOfAMultipartUploadStillEndsCorrectly() async throws {
        let rgw = try await CephRGW.shared()
        // Three parts then the completion: the fourth store is the completion, whose reply is lost.
        let proxy = try S3FaultProxy(upstream: rgw.endpoint, faults: .init(dropReplyOfEveryNthStore: 4))
        defer { proxy.stop() }
        let storage = try Self.storage(rgw, endpoint: proxy.endpoint, label: "dropped-complete")
        let content = Self.pattern(14 << 20, seed: 11)
        try await storage.write("backup/file", contents: content, options: WriteOptions())
        #expect(proxy.stats()["dropped", default: 0] == 1)
        #expect(try await storage.readAll("backup/file") == content)
        #expect(try await storage.list("backup").map(\.name) == ["file"])
    }

    @Test func unfinishedUploadsOfAKilledWriterAreAbortedUnderTheDirectoryOnly() async throws {
        let rgw = try await CephRGW.shared()
        let storage = try Self.storage(rgw, label: "abandoned-uploads")
        let prefix = storage.settings.prefix
        // What a killed process leaves: uploads started and never completed nor aborted.
        for key in ["backup/20261121-000000F/data/base/1/1259", "archive/0000000100000000/000000010000000000000003-x"] {
            let started = try await rgw.aws(["s3api", "create-multipart-upload", "--bucket", rgw.bucket, "--key", "\(prefix)/\(key)"])
            #expect(started.exitCode == 0, "\(started.stderr)")
        }
        func unfinished() async throws -> String {
            let listing = try await rgw.aws(["s3api", "list-multipart-uploads", "--bucket", rgw.bucket, "--prefix", prefix + "/"])
            #expect(listing.exitCode == 0, "\(listing.stderr)")
            return listing.stdout
        }
        // Younger than the cut-off: kept (it may belong to a writer still running).
        #expect(try await storage.removeAbandonedWrites(under: "backup", olderThan: Date().addingTimeInterval(-3600)) == 0)
        #expect(try await unfinished().contains("base/1/1259"))

        #expect(try await storage.removeAbandonedWrites(under: "backup", olderThan: Date().addingTimeInterval(60)) == 1)
        let left = try await unfinished()
        #expect(!left.contains("base/1/1259"), "the backup's unfinished upload is aborted: \(left)")
        #expect(left.contains("000000010000000000000003-x"), "an upload outside the directory stays")
        #expect(try await storage.removeAbandonedWrites(under: "", olderThan: Date().addingTimeInterval(60)) == 1)
        #expect(!(try await unfinished()).contains("UploadId"))
    }

    @Test func listingPaginatesPastOneThousandKeys() async throws {
        let rgw = try await CephRGW.shared()
        let storage = try Self.storage(rgw, label: "pages")
        let names = (0..<1005).map { String(format: "f%05d", $0) }
        await withTaskGroup(of: Void.self) { group in
            for chunk in stride(from: 0, to: names.count, by: 100) {
                let slice = Array(names[chunk..<min(chunk + 100, names.count)])
                group.addTask { for name in slice { try? await storage.write("many/\(name)", contents: [1], options: WriteOptions()) } }
            }
        }
        #expect(try await storage.list("many").map(\.name) == names)
        try await storage.removeTree("many")
        #expect(try await storage.list("many") == [])
    }

    @Test func tlsIsVerifiedAgainstTheCAFileUnlessTurnedOff() async throws {
        let rgw = try await CephRGW.shared()
        func storage(verify: Bool, caFile: String?) throws -> S3Storage {
            let endpoint = try #require(S3Endpoint(endpoint: rgw.tlsEndpoint, bucket: rgw.bucket, uriStyle: .path))
            return try S3Storage(settings: S3Settings(
                endpoint: endpoint, region: rgw.region, prefix: CephRGW.uniquePrefix("tls"), verifyTLS: verify, caFile: caFile,
                credentials: S3Credentials(accessKey: rgw.accessKey, secretKey: rgw.secretKey)))
        }
        // The system trust store does not know the self-signed certificate.
        let untrusted = try storage(verify: true, caFile: nil)
        let refused = await #expect(throws: LifeboatError.self) {
            try await untrusted.write("f", contents: [1], options: WriteOptions())
        }
        #expect(refused?.code == .repository)
        #expect(refused?.message.contains("tls") == true, "\(refused?.message ?? "")")

        let trusted = try storage(verify: true, caFile: rgw.tlsCAFile)
        try await trusted.write("f", contents: [1, 2], options: WriteOptions())
        #expect(try await trusted.readAll("f") == [1, 2])

        let unverified = try storage(verify: false, caFile: nil)
        try await unverified.write("g", contents: [3], options: WriteOptions())
        #expect(try await unverified.readAll("g") == [3])

        #expect(throws: LifeboatError.self) { _ = try storage(verify: true, caFile: "/nonexistent/ca.pem") }
    }

    @Test func aMissingBucketIsARepositoryError() async throws {
        let rgw = try await CephRGW.shared()
        let endpoint = try #require(S3Endpoint(endpoint: rgw.endpoint, bucket: "no-such-bucket-\(UInt16.random(in: 0...9999))", uriStyle: .path))
        let storage = try S3Storage(settings: S3Settings(
            endpoint: endpoint, region: rgw.region, prefix: "x", credentials: S3Credentials(accessKey: rgw.accessKey, secretKey: rgw.secretKey)))
        #expect(try await storage.rootExists() == false)
        let error = await #expect(throws: LifeboatError.self) { try await storage.ensureRoot() }
        #expect(error?.code == .repository)
        let read = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("stanza.json") }
        #expect(read?.code == .repository, "a missing bucket is not a missing file: \(read?.message ?? "")")
    }
}
