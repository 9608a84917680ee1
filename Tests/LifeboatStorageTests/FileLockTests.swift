import Glibc
import LifeboatCore
import Testing
@testable import LifeboatStorage

@Suite("FileLock")
struct FileLockTests {
    @Test func secondAcquireFailsUntilRelease() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/locks/main.lock"
        let first = try FileLock.acquire(path: path)
        #expect(first.path == path)

        // flock locks belong to the open file description: a second open in this process conflicts.
        let failure = #expect(throws: LifeboatError.self) { _ = try FileLock.acquire(path: path) }
        #expect(failure?.code == .lockHeld)
        #expect(failure?.message == "another lifeboat process holds lock '\(path)' (pid \(getpid()))")

        first.release()
        first.release()  // idempotent
        let second = try FileLock.acquire(path: path)
        second.release()
    }

    @Test func deinitReleases() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/stanza.lock"
        do {
            let held = try FileLock.acquire(path: path)
            #expect(throws: LifeboatError.self) { _ = try FileLock.acquire(path: path) }
            withExtendedLifetime(held) {}
        }
        let again = try FileLock.acquire(path: path)
        again.release()
    }

    @Test func lockFileHoldsThePid() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/stanza.lock"
        // A stale lock file from an earlier run, with a longer pid: it must be overwritten, not merged.
        let stale = open(path, O_CREAT | O_WRONLY, 0o644)
        _ = write(stale, "99999999999\n", 12)
        close(stale)

        let lock = try FileLock.acquire(path: path)
        defer { lock.release() }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &bytes, 64)
        #expect(String(decoding: bytes[0..<count], as: UTF8.self) == "\(getpid())\n")
    }

    @Test func unusablePathIsAnIoError() throws {
        let directory = TemporaryDirectory()
        close(open(directory.path + "/file", O_CREAT | O_WRONLY, 0o600))
        let failure = #expect(throws: LifeboatError.self) { _ = try FileLock.acquire(path: directory.path + "/file/x.lock") }
        #expect(failure == LifeboatError(.io, "unable to open lock file '\(directory.path)/file/x.lock': Not a directory"))
    }
}
