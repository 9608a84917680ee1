import Glibc
import LifeboatCore

/// A streaming read of one file. A class so that a reader dropped without `close()` still closes its
/// descriptor (deinit), instead of leaking one per abandoned read.
final class PosixFileReader: StorageReader {
    private var fd: Int32?
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        close()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) async throws(LifeboatError) -> Int {
        try readSome(into: buffer)
    }

    func close() {
        if let fd { try? Syscall.close(fd) }
        fd = nil
    }

    func readSome(into buffer: UnsafeMutableRawBufferPointer) throws(LifeboatError) -> Int {
        guard let fd else { throw LifeboatError(.internal, "unable to read '\(path)': the reader is closed") }
        do {
            return try Syscall.read(fd, into: buffer)
        } catch {
            throw PosixFailure.error("read", path, error)
        }
    }

    /// Reads to the end of the file; the size from fstat sizes the buffer, but the loop does not trust
    /// it (the file may be replaced by rename, never grown in place, yet be defensive).
    func readRemaining() throws(LifeboatError) -> [UInt8] {
        var expected = 0
        if let fd, let info = try? Syscall.fileStatus(fd) { expected = Int(info.st_size) }
        var result: [UInt8] = []
        result.reserveCapacity(expected)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(min(expected + 1, 1 << 20), 4096), alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try readSome(into: chunk)
            if count == 0 { return result }
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
    }
}
