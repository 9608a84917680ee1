import LifeboatCore
import LifeboatStorage
import struct Foundation.Date

/// A repository in an S3 bucket (AWS, Ceph RGW, MinIO…), under a key prefix.
///
/// How the storage rules map onto S3:
/// - A write is invisible until `commit()`: a single PUT, or a multipart upload, publishes the object
///   atomically only when it completes. Nothing temporary is ever stored under a listable name.
/// - `noReplace` sends `If-None-Match: *` (a conditional write the server decides atomically) and
///   maps 412 to `.alreadyExists`; see `S3Writer` for a retried write whose first reply was lost.
///   Such objects go up as one PUT up to 64 MiB (every WAL segment size but the largest), because Ceph
///   16 ignores the condition on CompleteMultipartUpload; a larger one is checked with HEAD just before
///   completion, which leaves a small window that only two writers of the same name could hit.
/// - Every acknowledged PUT is durable, so `syncAll()` has nothing to do (no `.syncAll` capability).
/// - Directories are implied by keys: `list` asks for one level with delimiter "/".
/// - Only a 404 on a read is `.notFound`; every other failure is `.repository`.
public final class S3Storage: RepositoryStorage {
    public let settings: S3Settings
    let client: S3Client
    let keys: S3Keys

    public init(settings: S3Settings) throws(LifeboatError) {
        self.settings = settings
        self.client = try S3Client(settings: settings)
        self.keys = S3Keys(prefix: settings.prefix)
    }

    public var capabilities: StorageCapabilities { [.atomicNoReplace] }

    public var displayName: String {
        "s3://\(settings.endpoint.bucket)" + (settings.prefix.isEmpty ? "" : "/" + settings.prefix)
    }

    public var location: String { displayName }

    // MARK: Root

    public func rootExists() async throws(LifeboatError) -> Bool {
        let outcome = try await client.send(S3Call(method: "HEAD", key: ""), describe: "reach bucket of \(displayName)")
        switch outcome.response.status {
        case 200..<300: return true
        case 404: return false
        default: throw S3Failure.error("reach bucket", settings.endpoint.bucket, outcome.response, in: displayName)
        }
    }

    /// The bucket must already exist: creating buckets is an administrator's decision (region, policy,
    /// versioning, object lock), not a backup tool's.
    public func ensureRoot() async throws(LifeboatError) {
        guard try await rootExists() else {
            throw LifeboatError(
                .repository, "repository '\(displayName)' does not exist: no bucket '\(settings.endpoint.bucket)'",
                hint: "create the bucket first (e.g. aws s3 mb s3://\(settings.endpoint.bucket)) or check repo-s3-bucket")
        }
    }

    // MARK: Reading

    public func info(_ path: String) async throws(LifeboatError) -> StorageEntry? {
        let components = try StoragePath.components(path, allowRoot: true)
        if components.isEmpty {
            return try await rootExists() ? StorageEntry(name: "", kind: .directory, size: 0, modified: Date()) : nil
        }
        let name = String(components.last!)
        if let head = try await head(path) {
            return StorageEntry(name: name, kind: .file, size: head.size, modified: head.modified)
        }
        let page = try await listPage(prefix: keys.directoryPrefix(path), delimiter: "/", token: nil, maxKeys: 1, path: path)
        if let first = page.objects.first {
            return StorageEntry(name: name, kind: .directory, size: 0, modified: S3Time.iso8601(first.lastModified) ?? Date())
        }
        return page.commonPrefixes.isEmpty ? nil : StorageEntry(name: name, kind: .directory, size: 0, modified: Date())
    }

    public func list(_ directory: String) async throws(LifeboatError) -> [StorageEntry] {
        _ = try StoragePath.components(directory, allowRoot: true)
        let prefix = keys.directoryPrefix(directory)
        var entries: [StorageEntry] = []
        var token: String?
        repeat {
            let page = try await listPage(prefix: prefix, delimiter: "/", token: token, maxKeys: 1000, path: directory)
            for object in page.objects {
                let name = String(object.key.dropFirst(prefix.count))
                // "dir/" markers that other tools create name the directory itself, not an entry in it.
                guard !name.isEmpty else { continue }
                entries.append(StorageEntry(
                    name: name, kind: .file, size: object.size, modified: S3Time.iso8601(object.lastModified) ?? Date()))
            }
            for common in page.commonPrefixes {
                let name = String(common.dropFirst(prefix.count).dropLast())
                guard !name.isEmpty else { continue }
                entries.append(StorageEntry(name: name, kind: .directory, size: 0, modified: Date(timeIntervalSince1970: 0)))
            }
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public func openRead(_ path: String) async throws(LifeboatError) -> any StorageReader {
        _ = try StoragePath.components(path)
        guard let reader = try await S3Reader.open(self, path: path) else { throw try await absent(path) }
        return reader
    }

    public func readAll(_ path: String) async throws(LifeboatError) -> [UInt8] {
        _ = try StoragePath.components(path)
        let outcome = try await client.send(
            S3Call(method: "GET", key: keys.key(path)), describe: "read '\(path)' in \(displayName)", maxResponseBytes: 1 << 30)
        if outcome.response.status == 404 {
            if outcome.response.error?.code == "NoSuchBucket" { throw S3Failure.error("read", path, outcome.response, in: displayName) }
            throw try await absent(path)
        }
        guard outcome.response.isSuccess else { throw S3Failure.error("read", path, outcome.response, in: displayName) }
        return outcome.response.body
    }

    // MARK: Writing

    public func create(_ path: String, options: WriteOptions) async throws(LifeboatError) -> any StorageWriter {
        _ = try StoragePath.components(path)
        return S3Writer(storage: self, path: path, options: options)
    }

    public func write(_ path: String, contents: [UInt8], options: WriteOptions) async throws(LifeboatError) {
        _ = try StoragePath.components(path)
        var writer = S3Writer(storage: self, path: path, options: options)
        do {
            try await writer.write(contents)
            try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
    }

    public func remove(_ path: String) async throws(LifeboatError) {
        _ = try StoragePath.components(path)
        try await delete(key: keys.key(path), path: path)
    }

    public func removeTree(_ directory: String) async throws(LifeboatError) {
        _ = try StoragePath.components(directory)
        var token: String?
        repeat {
            let page = try await listPage(prefix: keys.directoryPrefix(directory), delimiter: nil, token: token, maxKeys: 1000, path: directory)
            try await deleteAll(page.objects.map(\.key), path: directory)
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        try await delete(key: keys.key(directory), path: directory)
    }

    /// Aborts the multipart uploads under `directory` that were started before `cutoff` (a killed
    /// backup's large files): until aborted, their parts stay stored and billed, invisible to listings.
    public func removeAbandonedWrites(under directory: String, olderThan cutoff: Date) async throws(LifeboatError) -> Int {
        _ = try StoragePath.components(directory, allowRoot: true)
        let prefix = keys.directoryPrefix(directory)
        var aborted = 0
        var marker: (key: String, uploadID: String)?
        repeat {
            var query: [(name: String, value: String)] = [("uploads", ""), ("prefix", prefix)]
            if let marker { query += [("key-marker", marker.key), ("upload-id-marker", marker.uploadID)] }
            let outcome = try await client.send(S3Call(method: "GET", key: "", query: query), describe: "list unfinished uploads under '\(directory)' in \(displayName)")
            guard outcome.response.isSuccess else { throw S3Failure.error("list unfinished uploads under", directory, outcome.response, in: displayName) }
            let page: ListMultipartUploadsPage
            do {
                page = try ListMultipartUploadsPage.decode(outcome.response.body)
            } catch {
                throw LifeboatError(.repository, "unable to list unfinished uploads under '\(directory)' in \(displayName): \(error)")
            }
            for upload in page.uploads where (S3Time.iso8601(upload.initiated) ?? .distantFuture) < cutoff {
                let abort = try await client.send(
                    S3Call(method: "DELETE", key: upload.key, query: [("uploadId", upload.uploadID)]),
                    describe: "abort the unfinished upload of '\(upload.key)'")
                // 404: finished or aborted meanwhile by someone else; either way it is gone.
                guard abort.response.isSuccess || abort.response.status == 404 else {
                    throw S3Failure.error("abort the unfinished upload of", upload.key, abort.response, in: displayName)
                }
                aborted += 1
            }
            marker = page.next
        } while marker != nil
        return aborted
    }

    public func syncAll() async throws(LifeboatError) {}

    // MARK: Internals

    /// `.notFound` for an object that is not there, after checking that the bucket is: a HEAD's 404
    /// has no body to say which is missing, and a missing bucket is a broken repository, not a missing
    /// file (archive-get must not end recovery over it).
    private func absent(_ path: String) async throws(LifeboatError) -> LifeboatError {
        guard try await rootExists() else {
            return LifeboatError(
                .repository, "unable to read '\(path)' in \(displayName): the bucket does not exist",
                hint: "check repo-s3-bucket and repo-s3-endpoint")
        }
        return LifeboatError(.notFound, "unable to open '\(path)' for reading: no such object in \(displayName)")
    }

    struct Head {
        var size: UInt64
        var modified: Date
        var eTag: String
        var sha256: String?
    }

    /// HEAD of an object; nil on 404.
    func head(_ path: String) async throws(LifeboatError) -> Head? {
        let outcome = try await client.send(S3Call(method: "HEAD", key: keys.key(path)), describe: "look up '\(path)' in \(displayName)")
        let response = outcome.response
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw S3Failure.error("look up", path, response, in: displayName) }
        guard let size = response.header("content-length").flatMap(UInt64.init) else {
            throw LifeboatError(.repository, "unable to look up '\(path)' in \(displayName): the reply has no content-length")
        }
        return Head(
            size: size, modified: response.header("last-modified").flatMap(S3Time.httpDate) ?? Date(),
            eTag: response.header("etag") ?? "", sha256: response.header("x-amz-meta-sha256"))
    }

    func listPage(prefix: String, delimiter: String?, token: String?, maxKeys: Int, path: String) async throws(LifeboatError) -> ListObjectsPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let token { query.append(("continuation-token", token)) }
        let outcome = try await client.send(S3Call(method: "GET", key: "", query: query), describe: "list '\(path)' in \(displayName)")
        guard outcome.response.isSuccess else { throw S3Failure.error("list", path, outcome.response, in: displayName) }
        do {
            return try ListObjectsPage.decode(outcome.response.body)
        } catch {
            throw LifeboatError(.repository, "unable to list '\(path)' in \(displayName): \(error)")
        }
    }

    private func delete(key: String, path: String) async throws(LifeboatError) {
        let outcome = try await client.send(S3Call(method: "DELETE", key: key), describe: "remove '\(path)' in \(displayName)")
        guard outcome.response.isSuccess || outcome.response.status == 404 else {
            throw S3Failure.error("remove", path, outcome.response, in: displayName)
        }
    }

    /// Deletes keys with bounded concurrency (one DELETE each: no Content-MD5 body to build, and a
    /// failure names the key).
    private func deleteAll(_ objectKeys: [String], path: String) async throws(LifeboatError) {
        let width = 16
        var start = 0
        while start < objectKeys.count {
            let batch = Array(objectKeys[start..<min(start + width, objectKeys.count)])
            start += batch.count
            let failures = await withTaskGroup(of: LifeboatError?.self) { group in
                for key in batch {
                    group.addTask {
                        do throws(LifeboatError) {
                            try await self.delete(key: key, path: path)
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                var failures: [LifeboatError] = []
                for await failure in group { if let failure { failures.append(failure) } }
                return failures
            }
            if let first = failures.first { throw first }
        }
    }
}
