import AsyncHTTPClient
import Crypto
import LifeboatCore
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import struct Foundation.Date

/// Signed S3 requests over AsyncHTTPClient, with bounded retries (exponential backoff, full jitter).
///
/// Every body is hashed for `x-amz-content-sha256` (never UNSIGNED-PAYLOAD): RGW and AWS then check
/// that what arrived is what was signed, so a corrupted upload is refused instead of stored.
public struct S3Client: Sendable {
    /// Outcome of one `send`: the reply, and how many attempts it took (a retried conditional write
    /// needs to know whether an earlier attempt may have been applied).
    public struct Outcome: Sendable {
        public var response: S3Response
        public var attempts: Int
    }

    public let settings: S3Settings
    private let signer: SigV4Signer
    private let http: HTTPClient

    public init(settings: S3Settings) throws(LifeboatError) {
        self.settings = settings
        self.signer = SigV4Signer(credentials: settings.credentials, region: settings.region)
        self.http = try SharedHTTPClients.client(verifyTLS: settings.verifyTLS, caFile: settings.caFile)
    }

    /// Sends `call`, retrying what `RetryPolicy` deems transient. Returns the last reply (success or
    /// not); throws only when every attempt failed in transport (`describe` names the operation).
    /// `claimedPayloadHash` exists for the tests that prove the server checks body hashes.
    public func send(
        _ call: S3Call, describe: @autoclosure () -> String, maxResponseBytes: Int = 64 << 20,
        claimedPayloadHash: String? = nil
    ) async throws(LifeboatError) -> Outcome {
        let payloadHash = claimedPayloadHash ?? SigV4Signer.sha256Hex(call.body)
        var attempt = 1
        while true {
            do {
                let response = try await once(call, payloadHash: payloadHash, maxResponseBytes: maxResponseBytes)
                if response.isSuccess || attempt >= settings.retry.maxAttempts
                    || !settings.retry.isRetryable(status: response.status, errorCode: response.error?.code) {
                    return Outcome(response: response, attempts: attempt)
                }
            } catch let error as CancellationError {
                throw LifeboatError(.repository, "unable to \(describe()): cancelled (\(error))")
            } catch let error as NIOSSLError {
                // A certificate the client does not trust stays untrusted: no retry.
                throw LifeboatError(
                    .repository, "unable to \(describe()): tls handshake failed (\(error))",
                    hint: "check repo-s3-ca-file (or repo-s3-verify-tls=n for a test server)")
            } catch {
                if Task.isCancelled { throw LifeboatError(.repository, "unable to \(describe()): cancelled") }
                if attempt >= settings.retry.maxAttempts {
                    throw LifeboatError(
                        .repository, "unable to \(describe()): \(Self.transportReason(error)) after \(attempt) attempts",
                        hint: "check repo-s3-endpoint and that the server is reachable")
                }
            }
            attempt += 1
            let delay = settings.retry.delay(beforeAttempt: attempt, unit: Double.random(in: 0..<1))
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        }
    }

    private func once(_ call: S3Call, payloadHash: String, maxResponseBytes: Int) async throws -> S3Response {
        let endpoint = settings.endpoint
        var signable = SigV4Request(
            method: call.method, path: endpoint.path(forKey: call.key), query: call.query,
            headers: [("host", endpoint.hostHeader), ("x-amz-content-sha256", payloadHash)] + call.headers,
            payloadHash: payloadHash)
        signable.headers = signer.sign(signable, amzDate: SigV4Date.amzDate(Date()))
        var request = HTTPClientRequest(url: endpoint.url(forKey: call.key, query: call.query))
        request.method = HTTPMethod(rawValue: call.method)
        for (name, value) in signable.headers { request.headers.add(name: name, value: value) }
        if call.method == "PUT" || call.method == "POST" || !call.body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: call.body))
        }
        let response = try await http.execute(request, timeout: .seconds(300))
        var body = try await response.body.collect(upTo: maxResponseBytes)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        return S3Response(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
    }

    /// A transport failure in one lower-case phrase (never request headers, so never the signature).
    static func transportReason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "connection failed (\(error.shortDescription))" }
        if let error = error as? IOError { return "connection failed (\(error.description.lowercased()))" }
        return "connection failed (\(String(describing: error).prefix(120)))"
    }
}

extension HTTPClientError {
    var shortDescription: String {
        let text = String(describing: self)
        return text.hasPrefix("HTTPClientError.") ? String(text.dropFirst("HTTPClientError.".count)) : text
    }
}

/// One AsyncHTTPClient per TLS setting for the life of the process. A client must be shut down before
/// it is released; the process (a CLI command) ends instead, so the clients are simply kept.
enum SharedHTTPClients {
    private static let clients = Mutex<[String: HTTPClient]>([:])

    static func client(verifyTLS: Bool, caFile: String?) throws(LifeboatError) -> HTTPClient {
        let key = "\(verifyTLS)|\(caFile ?? "")"
        var tls = TLSConfiguration.makeClientConfiguration()
        if !verifyTLS { tls.certificateVerification = .none }
        if let caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw LifeboatError(.invalidArgument, "unable to read repo-s3-ca-file '\(caFile)': not a readable PEM certificate file")
            }
        }
        return clients.withLock { clients in
            if let existing = clients[key] { return existing }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
            configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
            // Our own retry loop (bounded, with jitter) handles a refused connection; the pool's would
            // keep trying until the connect timeout on every attempt.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[key] = client
            return client
        }
    }
}
