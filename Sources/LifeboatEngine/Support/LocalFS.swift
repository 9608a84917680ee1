#if canImport(Glibc)
import Glibc
#endif
import CLinux
import LifeboatCodecs
import LifeboatCore

/// Thin, error-translating wrappers over the POSIX calls the engine makes on local directories
/// (the PostgreSQL data directory, restore targets). The repository goes through `RepositoryStorage`.
enum LocalFS {
    static func errorText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    static func ioError(_ what: String, _ path: String, _ code: Int32 = errno) -> LifeboatError {
        LifeboatError(.io, "unable to \(what) '\(path)': \(errorText(code))")
    }

    /// lstat, or nil when the path does not exist.
    static func status(_ path: String) throws(LifeboatError) -> stat? {
        var info = stat()
        if lstat(path, &info) == 0 { return info }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw ioError("stat", path)
    }

    /// SHA-256 (hex) of what is left to read from `fd`, streamed through `buffer`.
    static func sha256(of fd: Int32, path: String, buffer: UnsafeMutableRawBufferPointer) throws(LifeboatError) -> String {
        var hasher = SHA256Hasher()
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalizeHex()
    }

    static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }
    static func isRegular(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }
    static func isSymlink(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFLNK }

    /// Names in a directory, without "." and "..", sorted.
    static func entries(of directory: String) throws(LifeboatError) -> [String] {
        guard let dir = opendir(directory) else { throw ioError("open directory", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readLink(_ path: String) throws(LifeboatError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw ioError("read link", path) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws(LifeboatError) {
        if mkdir(path, mode) != 0 {
            guard errno == EEXIST, let info = try status(path), isDirectory(info) else {
                throw ioError("create directory", path)
            }
        }
        // mkdir honours the umask; the recorded mode must win.
        if chmod(path, mode) != 0 { throw ioError("set the mode of", path) }
    }

    /// mkdir -p for the parts that are missing.
    static func makeDirectories(_ path: String, mode: mode_t) throws(LifeboatError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if try status(current) == nil { try makeDirectory(current, mode: mode) }
        }
    }

    /// Removes everything below `directory` (not the directory itself), never following symlinks.
    static func removeContents(of directory: String) throws(LifeboatError) {
        for name in try entries(of: directory) {
            let path = directory + "/" + name
            guard let info = try status(path) else { continue }
            if isDirectory(info) {
                try removeContents(of: path)
                if rmdir(path) != 0 { throw ioError("remove directory", path) }
            } else if unlink(path) != 0 {
                throw ioError("remove", path)
            }
        }
    }

    /// Whole file, for small files (pg_control, config files).
    static func readFile(_ path: String, limit: Int = 16 << 20) throws(LifeboatError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open", path) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(LifeboatError) {
        var offset = 0
        while offset < bytes.count {
            let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            offset += count
        }
    }

    /// pwrite until all of `bytes` lands at `offset`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: off_t, path: String) throws(LifeboatError) {
        var done = 0
        while done < bytes.count {
            let count = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, offset + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            done += count
        }
    }

    /// Small files written whole and made durable: temp name, fsync, rename, fsync of the directory.
    static func writeFileDurably(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        let temp = path + ".lifeboat.tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw ioError("create", temp) }
        do {
            try bytes.withUnsafeBytes { raw in try writeAll(fd, raw, path: temp) }
            if fchmod(fd, mode) != 0 { throw ioError("set the mode of", temp) }
            if fsync(fd) != 0 { throw ioError("fsync", temp) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        if rename(temp, path) != 0 { throw ioError("rename into place", path) }
        try syncDirectory(parent(of: path))
    }

    static func syncDirectory(_ path: String) throws(LifeboatError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open directory", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw ioError("fsync directory", path) }
    }

    /// One `syncfs` flushes every file written below `path` (and the rest of its file system) — far
    /// cheaper than an fsync per file when a restore writes thousands of them.
    static func syncFileSystem(containing path: String) throws(LifeboatError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open directory", path) }
        defer { close(fd) }
        if syncfs(fd) != 0 { throw ioError("syncfs", path) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return cwd == "/" ? "/" + path : cwd + "/" + path
    }

    /// The path of the running executable, for the restore_command written into a restored cluster.
    static func currentExecutable() -> String {
        (try? readLink("/proc/self/exe")) ?? "lifeboat"
    }
}
