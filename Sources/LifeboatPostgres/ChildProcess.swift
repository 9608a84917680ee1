import Foundation
import LifeboatCore

/// A child started with posix_spawn, its output drained and its exit awaited on dedicated threads.
///
/// Not Foundation's `Process`: on Linux it learns that a child exited when a socket inherited by the
/// child closes, so a child that starts a daemon (pg_ctl start → postgres) is never seen to exit and
/// stays a zombie. Here a thread waits for the pid itself.
final class ChildProcess: @unchecked Sendable {
    // unchecked: every stored property is immutable after spawn; `status` is written by the waiter
    // thread strictly before it signals `exitWrite`, and read only after that signal is received.
    let pid: pid_t
    let stdinFD: Int32?
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let exitRead: Int32
    private let exitWrite: Int32
    private var status: Int32 = 0
    /// Once the child has exited, how long to keep reading for daemons that inherited its pipes.
    private let graceSeconds = 2.0

    private init(pid: pid_t, stdinFD: Int32?, stdoutFD: Int32, stderrFD: Int32, exitPipe: (Int32, Int32)) {
        self.pid = pid
        self.stdinFD = stdinFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
        (exitRead, exitWrite) = exitPipe
    }

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments` and exactly `environment`. Standard
    /// input is a pipe when `feedsStdin`, /dev/null otherwise.
    static func spawn(executable: String, arguments: [String], environment: [String: String], feedsStdin: Bool) throws(LifeboatError) -> ChildProcess {
        var opened: [Int32] = []
        func closeAll() { opened.forEach { close($0) } }
        func pipePair() throws(LifeboatError) -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw failure(executable, "pipe() failed: \(String(cString: strerror(errno)))") }
            // CLOEXEC so that no other child inherits them; dup2 onto 0-2 clears it for our child.
            // (Glibc's pipe2 is not visible to Swift; a spawn racing this window only delays an EOF.)
            fds.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            opened += fds
            return (fds[0], fds[1])
        }
        do throws(LifeboatError) {
            let output = try pipePair()
            let errors = try pipePair()
            let exitPipe = try pipePair()
            let input: (read: Int32, write: Int32?)
            if feedsStdin {
                let pair = try pipePair()
                input = (pair.read, pair.write)
            } else {
                let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
                guard null >= 0 else { throw failure(executable, "cannot open /dev/null") }
                opened.append(null)
                input = (null, nil)
            }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
            posix_spawn_file_actions_adddup2(&actions, output.write, 1)
            posix_spawn_file_actions_adddup2(&actions, errors.write, 2)

            // The child starts with no blocked signals and default handlers, whatever this
            // process (or the thread spawning it) has set up.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGPIPE, SIGCHLD, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + envp).forEach { free($0) } }

            var pid: pid_t = 0
            let spawned = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
            guard spawned == 0 else { throw failure(executable, String(cString: strerror(spawned))) }

            // The child has its copies; ours of its ends must go, or EOF never comes.
            close(output.write)
            close(errors.write)
            close(input.read)
            let child = ChildProcess(
                pid: pid, stdinFD: input.write, stdoutFD: output.read, stderrFD: errors.read,
                exitPipe: (exitPipe.read, exitPipe.write))
            child.startWaiter()
            return child
        } catch {
            closeAll()
            throw error
        }
    }

    private static func failure(_ executable: String, _ reason: String) -> LifeboatError {
        LifeboatError(.io, "unable to run '\(executable)': \(reason)", hint: "check that the program exists and is executable")
    }

    private func startWaiter() {
        Thread.detachNewThread { [self] in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status = raw
            var byte: UInt8 = 1
            _ = write(exitWrite, &byte, 1)
        }
    }

    /// Waits for the child's exit and both of its streams, without blocking the cooperative pool.
    func collect() async -> ProcessResult {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in continuation.resume(returning: drain()) }
        }
    }

    /// One poll loop over stdout, stderr and the exit signal, so neither pipe can fill up and block
    /// the child. After the exit, at most `graceSeconds` more for EOF.
    private func drain() -> ProcessResult {
        var collected: [Int32: [UInt8]] = [stdoutFD: [], stderrFD: []]
        var open: Set<Int32> = [stdoutFD, stderrFD]
        var exitedAt: Date?
        var buffer = [UInt8](repeating: 0, count: 65536)

        while !open.isEmpty {
            var watched = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if exitedAt == nil { watched.append(pollfd(fd: exitRead, events: Int16(POLLIN), revents: 0)) }
            var timeout: Int32 = -1
            if let exitedAt {
                let remaining = graceSeconds - Date().timeIntervalSince(exitedAt)
                if remaining <= 0 { break }
                timeout = Int32(remaining * 1000) + 1
            }
            let ready = poll(&watched, nfds_t(watched.count), timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            for entry in watched where entry.revents != 0 {
                if entry.fd == exitRead {
                    exitedAt = Date()
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    collected[entry.fd, default: []].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    open.remove(entry.fd)
                }
            }
        }
        if exitedAt == nil {
            var byte: UInt8 = 0
            while read(exitRead, &byte, 1) < 0 && errno == EINTR {}
        }
        [stdoutFD, stderrFD, exitRead, exitWrite].forEach { close($0) }

        // Decoded by hand: WIFEXITED and friends are macros Swift cannot import.
        let signal = status & 0x7f
        let exitCode = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return ProcessResult(
            exitCode: exitCode,
            stdout: String(decoding: collected[stdoutFD] ?? [], as: UTF8.self),
            stderr: String(decoding: collected[stderrFD] ?? [], as: UTF8.self))
    }
}
