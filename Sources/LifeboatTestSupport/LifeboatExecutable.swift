import Foundation
import LifeboatCore

/// The `lifeboat` executable built by SwiftPM, for tests that let PostgreSQL run it
/// (archive_command, restore_command).
public enum LifeboatExecutable {
    /// Copies the built `lifeboat` into `directory` (which the postgres user must be able to reach,
    /// unlike a 0700 checkout or /root) as `lifeboat`, mode 0755, and returns the copy's path.
    public static func installed(into directory: String) throws -> String {
        let source = try builtPath()
        let destination = (directory as NSString).appendingPathComponent("lifeboat")
        try copyExecutable(from: source, to: destination)
        return destination
    }

    /// The built executable: `$LIFEBOAT_EXECUTABLE` when set, else `lifeboat` in the build products
    /// directory, which also holds the test binary (.build/<triple>/<configuration>/).
    public static func builtPath() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["LIFEBOAT_EXECUTABLE"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw LifeboatError(.notFound, "LIFEBOAT_EXECUTABLE '\(explicit)' is not an executable file")
            }
            return explicit
        }
        let directories = productDirectories()
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent("lifeboat")
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LifeboatError(
            .notFound,
            "the 'lifeboat' executable has not been built (looked in \(directories.map { "'\($0)'" }.joined(separator: ", ")))",
            hint: "run 'swift build --product lifeboat' (same configuration as the tests) before 'swift test'")
    }

    /// Copies through a descriptor opened with O_CLOEXEC. FileManager's copy leaves its descriptor
    /// inheritable: a child spawned meanwhile by another test would hold the file open for writing,
    /// and executing it would then fail with ETXTBSY ("Text file busy").
    private static func copyExecutable(from source: String, to destination: String) throws {
        guard let bytes = FileManager.default.contents(atPath: source) else {
            throw LifeboatError(.io, "unable to read '\(source)'")
        }
        unlink(destination)
        let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw LifeboatError(.io, "unable to create '\(destination)': errno \(errno)") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw LifeboatError(.io, "unable to write '\(destination)': errno \(errno)") }
            offset += written
        }
        // The umask may have trimmed the mode given to open().
        guard fchmod(fd, 0o755) == 0 else { throw LifeboatError(.io, "unable to chmod '\(destination)': errno \(errno)") }
    }

    /// Directories that may hold the build products, most likely first.
    private static func productDirectories() -> [String] {
        var directories: [String] = []
        // Linux: the test runner is itself an executable in the products directory.
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append((executable as NSString).deletingLastPathComponent)
        }
        // macOS: the tests are an .xctest bundle in the products directory.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append((bundle.bundlePath as NSString).deletingLastPathComponent)
        }
        if let main = Bundle.main.executablePath {
            directories.append((main as NSString).deletingLastPathComponent)
        }
        var seen = Set<String>()
        return directories.filter { seen.insert($0).inserted }
    }
}
