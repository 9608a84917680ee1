import Crypto
import LifeboatCore
import LifeboatStorage

/// Streams one object up: bytes are buffered up to the part size; an object that never fills a part
/// goes up as one PUT at `commit()`, a larger one as a multipart upload whose parts are sent while the
/// caller keeps writing (at most `uploadConcurrency` in flight, so memory stays bounded).
///
/// Nothing is visible before `commit()`: the single PUT happens there, and a multipart object only
/// appears when CompleteMultipartUpload succeeds.
///
/// A retried write whose first reply was lost (the server stored the object, the client never heard):
/// - without noReplace, writing the same bytes again is harmless;
/// - with noReplace, the retry gets 412 because the first attempt's object is there. The writer then
///   compares that object with its own bytes (`x-amz-meta-sha256` for a single PUT, the multipart ETag
///   computed from the parts' MD5s otherwise) and treats identical content as its own success.
struct S3Writer: StorageWriter {
    private enum State {
        case writing
        case failed
        case committed
        case aborted
    }

    /// A noReplace object up to this size goes up as one conditional PUT (a 16 MiB WAL segment does),
    /// because a single PUT is where servers support `If-None-Match` best.
    static let noReplaceSinglePutLimit = 64 << 20

    private let storage: S3Storage
    private let path: String
    private let key: String
    private let options: WriteOptions
    private var buffer: [UInt8] = []
    private var state = State.writing
    private var uploadID: String?
    /// Parts in flight, oldest first.
    private var pending: [Task<UploadedPart, any Error>] = []
    private var uploaded: [UploadedPart] = []
    private var partCount = 0
    private(set) var bytesWritten: UInt64 = 0

    struct UploadedPart: Sendable {
        var eTag: String
        var md5: [UInt8]
    }

    init(storage: S3Storage, path: String, options: WriteOptions) {
        self.storage = storage
        self.path = path
        self.key = storage.keys.key(path)
        self.options = options
    }

    private var displayName: String { storage.displayName }
    private var partSize: Int { storage.settings.partSize }
    private var singlePutLimit: Int { options.noReplace ? max(Self.noReplaceSinglePutLimit, partSize) : partSize }

    mutating func write(_ bytes: UnsafeRawBufferPointer) async throws(LifeboatError) {
        try checkWriting("write")
        var rest = bytes
        while !rest.isEmpty {
            // Before the first part, buffer up to the single-PUT limit; after it, one part at a time.
            let limit = uploadID == nil ? singlePutLimit : partSize
            let take = min(rest.count, max(0, limit - buffer.count))
            if take > 0 {
                if buffer.capacity < min(limit, buffer.count + rest.count) {
                    buffer.reserveCapacity(min(limit, max(buffer.count + rest.count, partSize)))
                }
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                bytesWritten += UInt64(take)
            }
            if buffer.count >= limit {
                do {
                    try await flushFullParts()
                } catch {
                    await fail()
                    throw error
                }
            }
        }
    }

    mutating func commit() async throws(LifeboatError) {
        try checkWriting("commit")
        do {
            if uploadID == nil {
                try await putWhole()
            } else {
                if !buffer.isEmpty || partCount == 0 { try await startPart(take: buffer.count) }
                try await awaitParts(downTo: 0)
                try await complete()
            }
            state = .committed
            buffer = []
        } catch {
            await fail()
            throw error
        }
    }

    mutating func abort() async {
        switch state {
        case .writing, .failed:
            if state == .writing { state = .aborted }
            await discardUpload()
        case .committed, .aborted:
            return
        }
    }

    // MARK: Single PUT

    private mutating func putWhole() async throws(LifeboatError) {
        let hash = SigV4Signer.sha256Hex(buffer)
        var headers: [(name: String, value: String)] = [("x-amz-meta-sha256", hash)]
        if options.noReplace { headers.append(("if-none-match", "*")) }
        let outcome = try await storage.client.send(
            S3Call(method: "PUT", key: key, headers: headers, body: buffer), describe: "write '\(path)' in \(displayName)")
        let response = outcome.response
        if response.isSuccess { return }
        if options.noReplace && Self.isConditionFailure(response) {
            // An earlier attempt of this very PUT may have stored the object before its reply was lost.
            if outcome.attempts > 1, let head = try await storage.head(path), head.sha256 == hash, head.size == UInt64(buffer.count) {
                return
            }
            throw alreadyExists()
        }
        throw S3Failure.error("write", path, response, in: displayName)
    }

    // MARK: Multipart

    private mutating func flushFullParts() async throws(LifeboatError) {
        if uploadID == nil { uploadID = try await initiate() }
        while buffer.count >= partSize {
            try await startPart(take: partSize)
        }
    }

    private func initiate() async throws(LifeboatError) -> String {
        let outcome = try await storage.client.send(
            S3Call(method: "POST", key: key, query: [("uploads", "")]), describe: "start uploading '\(path)' in \(displayName)")
        guard outcome.response.isSuccess else { throw S3Failure.error("start uploading", path, outcome.response, in: displayName) }
        do {
            return try InitiateMultipartUploadResult.uploadID(outcome.response.body)
        } catch {
            throw LifeboatError(.repository, "unable to start uploading '\(path)' in \(displayName): \(error)")
        }
    }

    /// Sends the first `take` buffered bytes as the next part, waiting first if too many are in flight.
    private mutating func startPart(take: Int) async throws(LifeboatError) {
        try await awaitParts(downTo: storage.settings.uploadConcurrency - 1)
        let bytes = Array(buffer[0..<take])
        buffer.removeFirst(take)
        partCount += 1
        let number = partCount
        let client = storage.client, key = key, path = path, displayName = displayName
        guard let uploadID else { throw LifeboatError(.internal, "unable to upload '\(path)': no upload id") }
        pending.append(Task {
            let md5 = Array(Insecure.MD5.hash(data: bytes))
            let outcome = try await client.send(
                S3Call(method: "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: bytes),
                describe: "upload part \(number) of '\(path)' in \(displayName)")
            guard outcome.response.isSuccess, let eTag = outcome.response.header("etag") else {
                throw S3Failure.error("upload part \(number) of", path, outcome.response, in: displayName)
            }
            return UploadedPart(eTag: eTag, md5: md5)
        })
    }

    private mutating func awaitParts(downTo limit: Int) async throws(LifeboatError) {
        while pending.count > max(0, limit) {
            let task = pending.removeFirst()
            do {
                uploaded.append(try await task.value)
            } catch let error as LifeboatError {
                throw error
            } catch {
                throw LifeboatError(.repository, "unable to upload '\(path)' in \(displayName): \(error)")
            }
        }
    }

    private mutating func complete() async throws(LifeboatError) {
        guard let uploadID else { return }
        if options.noReplace, try await storage.head(path) != nil {
            // Servers that ignore If-None-Match on completion still must not replace: check first.
            throw alreadyExists()
        }
        var headers: [(name: String, value: String)] = []
        if options.noReplace { headers.append(("if-none-match", "*")) }
        let outcome = try await storage.client.send(
            S3Call(method: "POST", key: key, query: [("uploadId", uploadID)], headers: headers,
                   body: CompleteMultipartUpload.requestBody(etags: uploaded.map(\.eTag))),
            describe: "finish uploading '\(path)' in \(displayName)")
        let response = outcome.response
        if response.isSuccess, CompleteMultipartUpload.replyError(response.body) == nil {
            self.uploadID = nil
            return
        }
        // A retried completion whose first reply was lost: the upload is gone (404 NoSuchUpload) or the
        // condition fails (412); the object stored is ours if its ETag is the one our parts make.
        if outcome.attempts > 1 && (response.status == 404 || response.status == 412),
           let head = try await storage.head(path), head.eTag == expectedMultipartETag {
            self.uploadID = nil
            return
        }
        if options.noReplace && Self.isConditionFailure(response) { throw alreadyExists() }
        throw S3Failure.error("finish uploading", path, response, in: displayName)
    }

    /// S3's multipart ETag: MD5 of the concatenated part MD5s, then "-" and the part count.
    private var expectedMultipartETag: String {
        let digest = Insecure.MD5.hash(data: uploaded.flatMap(\.md5))
        return "\"\(SigV4Signer.hex(digest))-\(uploaded.count)\""
    }

    // MARK: Failure

    private mutating func fail() async {
        state = .failed
        await discardUpload()
    }

    /// Cancels parts in flight and aborts the multipart upload, so no orphan parts stay billed.
    private mutating func discardUpload() async {
        for task in pending { task.cancel() }
        for task in pending { _ = try? await task.value }
        pending = []
        buffer = []
        if let uploadID {
            _ = try? await storage.client.send(
                S3Call(method: "DELETE", key: key, query: [("uploadId", uploadID)]), describe: "abort uploading '\(path)'")
            self.uploadID = nil
        }
    }

    private func alreadyExists() -> LifeboatError {
        LifeboatError(.alreadyExists, "unable to create '\(path)' in \(displayName): the object already exists")
    }

    static func isConditionFailure(_ response: S3Response) -> Bool {
        response.status == 412 || (response.status == 409 && response.error?.code == "ConditionalRequestConflict")
    }

    private func checkWriting(_ operation: String) throws(LifeboatError) {
        let why: String
        switch state {
        case .writing: return
        case .failed: why = "an earlier write or commit failed"
        case .committed: why = "it is already committed"
        case .aborted: why = "it was aborted"
        }
        throw LifeboatError(.internal, "unable to \(operation) '\(path)': \(why)")
    }
}
