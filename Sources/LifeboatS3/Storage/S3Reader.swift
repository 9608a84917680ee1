import LifeboatCore
import LifeboatStorage

/// Streams an object with ranged GETs of `chunkSize` bytes, one range fetched ahead while the caller
/// consumes the current one: memory stays at two chunks whatever the object's size, each range is
/// retried on its own, and `If-Match` on the ETag seen at open refuses to splice two versions of an
/// object that was replaced mid-read. Opening fetches the first range (no HEAD first), so a small
/// file costs one request.
struct S3Reader: StorageReader {
    static let chunkSize = 8 << 20

    private let storage: S3Storage
    private let path: String
    private let size: UInt64
    private let eTag: String
    private var current: [UInt8] = []
    private var position = 0
    /// Offset of the next range to request.
    private var nextOffset: UInt64 = 0
    private var ahead: Task<[UInt8], any Error>?
    private var closed = false

    private init(storage: S3Storage, path: String, size: UInt64, eTag: String, first: [UInt8]) {
        self.storage = storage
        self.path = path
        self.size = size
        self.eTag = eTag
        self.current = first
        self.nextOffset = UInt64(first.count)
    }

    /// Opens `path` by fetching its first range; nil if there is no such object.
    static func open(_ storage: S3Storage, path: String) async throws(LifeboatError) -> S3Reader? {
        let outcome = try await storage.client.send(
            S3Call(method: "GET", key: storage.keys.key(path), headers: [("range", "bytes=0-\(chunkSize - 1)")]),
            describe: "read '\(path)' in \(storage.displayName)", maxResponseBytes: chunkSize + 1)
        let response = outcome.response
        switch response.status {
        case 206:
            guard let range = response.header("content-range"), let slash = range.lastIndex(of: "/"),
                  let size = UInt64(range[range.index(after: slash)...]) else {
                throw LifeboatError(.repository, "unable to read '\(path)' in \(storage.displayName): the reply has no usable content-range")
            }
            return S3Reader(storage: storage, path: path, size: size, eTag: response.header("etag") ?? "", first: response.body)
        case 200:
            // The server ignored the range: the body is the whole object.
            return S3Reader(storage: storage, path: path, size: UInt64(response.body.count), eTag: "", first: response.body)
        case 416:
            // A range of an empty object is unsatisfiable: the object exists and has no bytes.
            return S3Reader(storage: storage, path: path, size: 0, eTag: "", first: [])
        case 404 where response.error?.code != "NoSuchBucket":
            return nil
        default:
            throw S3Failure.error("read", path, response, in: storage.displayName)
        }
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) async throws(LifeboatError) -> Int {
        if closed { throw LifeboatError(.internal, "unable to read '\(path)': the reader is closed") }
        if position == current.count {
            guard let next = try await nextChunk() else { return 0 }
            current = next
            position = 0
        }
        let count = min(buffer.count, current.count - position)
        current.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
        }
        position += count
        return count
    }

    mutating func close() {
        closed = true
        ahead?.cancel()
        ahead = nil
        current = []
    }

    private mutating func nextChunk() async throws(LifeboatError) -> [UInt8]? {
        if ahead == nil {
            guard let task = startRange() else { return nil }
            ahead = task
        }
        let task = ahead!
        ahead = startRange()
        do {
            return try await task.value
        } catch let error as LifeboatError {
            ahead?.cancel()
            throw error
        } catch {
            ahead?.cancel()
            throw LifeboatError(.repository, "unable to read '\(path)': \(error)")
        }
    }

    /// Starts fetching the next range, or nil past the end.
    private mutating func startRange() -> Task<[UInt8], any Error>? {
        guard nextOffset < size else { return nil }
        let first = nextOffset
        let last = min(size, first + UInt64(Self.chunkSize)) - 1
        nextOffset = last + 1
        let storage = storage, path = path, eTag = eTag
        return Task { try await Self.fetch(storage, path: path, eTag: eTag, first: first, last: last) }
    }

    private static func fetch(_ storage: S3Storage, path: String, eTag: String, first: UInt64, last: UInt64) async throws(LifeboatError) -> [UInt8] {
        var headers: [(name: String, value: String)] = [("range", "bytes=\(first)-\(last)")]
        if !eTag.isEmpty { headers.append(("if-match", eTag)) }
        let outcome = try await storage.client.send(
            S3Call(method: "GET", key: storage.keys.key(path), headers: headers),
            describe: "read '\(path)' in \(storage.displayName)", maxResponseBytes: chunkSize + 1)
        let response = outcome.response
        switch response.status {
        case 200, 206:
            let expected = Int(last - first + 1)
            // A 200 means the server ignored the range and sent the whole object.
            let body = response.status == 200 && first == 0 ? Array(response.body.prefix(expected)) : response.body
            guard body.count == expected else {
                throw LifeboatError(.repository, "unable to read '\(path)' in \(storage.displayName): got \(response.body.count) bytes for a range of \(expected)")
            }
            return body
        case 404:
            throw LifeboatError(.repository, "unable to read '\(path)' in \(storage.displayName): the object disappeared while being read")
        case 412:
            throw LifeboatError(.repository, "unable to read '\(path)' in \(storage.displayName): the object was replaced while being read")
        default:
            throw S3Failure.error("read", path, response, in: storage.displayName)
        }
    }
}
