import LifeboatCore

/// A streaming write of one file under a temporary name. Not Sendable: owned by one task.
///
/// After a failed `write` the writer refuses to `commit` (a truncated file must never be published);
/// the caller then calls `abort()`.
public protocol StorageWriter {
    mutating func write(_ bytes: UnsafeRawBufferPointer) async throws(LifeboatError)
    /// Publishes the file under its final name (see durability rules). After commit the writer is finished.
    mutating func commit() async throws(LifeboatError)
    /// Removes the temp file; safe to call after a failed write or commit; no-op after a successful commit.
    mutating func abort() async
    var bytesWritten: UInt64 { get }
}

extension StorageWriter {
    /// Writes an array; copies it once into a heap buffer because `withUnsafeBytes` cannot await.
    public mutating func write(_ bytes: [UInt8]) async throws(LifeboatError) {
        if bytes.isEmpty { return }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { copy.deallocate() }
        copy.copyBytes(from: bytes)
        try await write(UnsafeRawBufferPointer(copy))
    }
}
