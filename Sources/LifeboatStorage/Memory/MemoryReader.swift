import LifeboatCore

/// Reads a snapshot taken at `openRead`, so a later commit of the same name does not change what an
/// open reader sees (as with an open file descriptor after rename).
struct MemoryReader: StorageReader {
    private let bytes: [UInt8]
    private var offset = 0
    private var closed = false

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) async throws(LifeboatError) -> Int {
        if closed { throw LifeboatError(.internal, "unable to read: the reader is closed") }
        let count = min(buffer.count, bytes.count - offset)
        if count == 0 { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
        }
        offset += count
        return count
    }

    mutating func close() {
        closed = true
    }
}
