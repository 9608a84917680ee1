import Foundation
import LifeboatCore

/// Runs a program to completion and captures its output — for pg_ctl, initdb, pg_verifybackup and
/// friends, never for data (the data path uses libraries, not child processes).
public enum ProcessRunner {
    /// Runs `executable` with `arguments`.
    ///
    /// - `asUser`: run as this OS user. When it is not the current user this needs root and goes
    ///   through `runuser -u <user> --` (initdb and postgres refuse to run as root); the working
    ///   directory is then `/`, since that user may not be able to enter ours.
    /// - `environment`: variables added to (or overriding) the inherited environment.
    /// - `stdin`: written to the program's standard input, which is otherwise /dev/null.
    ///
    /// A non-zero exit is not an error: it is in `exitCode`. Only failing to start the program throws.
    public static func run(
        _ executable: String, _ arguments: [String], asUser: String? = nil,
        environment: [String: String]? = nil, stdin: String? = nil
    ) async throws(LifeboatError) -> ProcessResult {
        let command = try commandLine(executable, arguments, asUser: asUser)
        var fullEnvironment = ProcessInfo.processInfo.environment
        if let environment { fullEnvironment.merge(environment) { _, new in new } }
        let child = try ChildProcess.spawn(
            executable: command.executable, arguments: command.arguments, environment: fullEnvironment,
            feedsStdin: stdin != nil)
        if let stdin, let fd = child.stdinFD { StdinWriter.start(bytes: Array(stdin.utf8), fd: fd) }
        return await child.collect()
    }

    /// The command to spawn: the program itself, or runuser in front of it to switch users.
    static func commandLine(_ executable: String, _ arguments: [String], asUser: String?) throws(LifeboatError)
        -> (executable: String, arguments: [String])
    {
        guard let asUser, asUser != OSUser.currentName else { return (executable, arguments) }
        guard OSUser.isRoot else {
            throw LifeboatError(
                .io, "unable to run '\(executable)' as user '\(asUser)': only root can switch users",
                hint: "run as root or as '\(asUser)'")
        }
        let candidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        guard let runuser = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw LifeboatError(
                .io, "unable to run '\(executable)' as user '\(asUser)': 'runuser' not found",
                hint: "install util-linux, which provides runuser")
        }
        // The user may not be allowed into our working directory (e.g. /root): start it from /.
        let inRoot = ["/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", executable]
        return (runuser, ["-u", asUser, "--"] + inRoot + arguments)
    }
}

/// Feeds a child's standard input from its own thread, so a child that writes a lot before reading
/// cannot deadlock against us.
private enum StdinWriter {
    static func start(bytes: [UInt8], fd: Int32) {
        Thread.detachNewThread {
            // A child that exits without reading makes write() raise SIGPIPE, which would kill us.
            // Blocking it on this thread turns it into EPIPE; a pending SIGPIPE dies with the thread.
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &mask, nil)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
            close(fd)
        }
    }
}
