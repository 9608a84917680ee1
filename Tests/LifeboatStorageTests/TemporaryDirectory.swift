import Glibc
@testable import LifeboatStorage

/// A fresh directory under $TMPDIR (or /tmp), removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/lifeboat-storage-test.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: \(String(cString: strerror(errno)))")
        path = String(cString: made!)
        // Another test changes the umask; make this directory's mode independent of it.
        chmod(path, 0o700)
    }

    deinit {
        try? PosixDirectory.removeTree(path)
    }

    /// The names in `directory` exactly as readdir returns them (temporary files included).
    static func rawNames(_ directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        precondition(lstat(path, &info) == 0, "lstat \(path) failed")
        return info.st_mode & 0o7777
    }
}
