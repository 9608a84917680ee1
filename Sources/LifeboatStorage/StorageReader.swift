import LifeboatCore

/// A streaming read of one file. Not Sendable: owned by one task.
public protocol StorageReader {
    /// Reads up to `buffer.count` bytes into the buffer; returns the count, 0 at end of file.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) async throws(LifeboatError) -> Int
    mutating func close()
}

extension StorageReader {
    /// Reads everything left, in `chunkSize` steps; for tests and small files.
    public mutating func readToEnd(chunkSize: Int = 1 << 16) async throws(LifeboatError) -> [UInt8] {
        // A heap buffer rather than `withUnsafeMutableBytes`, whose closure cannot await.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 1), alignment: 16)
        defer { chunk.deallocate() }
        var result: [UInt8] = []
        while true {
            let count = try await read(into: chunk)
            if count == 0 { return result }
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
    }
}
