import Foundation
import Glibc
import LifeboatCore
import Testing
@testable import LifeboatStorage

@Suite("PosixStorage")
struct PosixStorageTests {
    /// A repository root inside a fresh temporary directory, created with `ensureRoot`.
    static func makeStorage(
        _ directory: TemporaryDirectory, strategy: NoReplaceStrategy = .renameat2
    ) throws -> PosixStorage {
        let storage = PosixStorage(root: directory.path + "/repo", noReplaceStrategy: strategy)
        try storage.ensureRoot()
        return storage
    }

    @Test func rootIsNormalisedAndNamed() {
        #expect(PosixStorage(root: "/var/lib/lifeboat//").root == "/var/lib/lifeboat")
        #expect(PosixStorage(root: "/").root == "/")
        #expect(PosixStorage(root: "").root == ".")
        #expect(PosixStorage(root: "/var/lib/lifeboat").displayName == "posix:/var/lib/lifeboat")
        #expect(PosixStorage(root: "/r").capabilities == [.atomicNoReplace, .syncAll])
    }

    /// The umask is process-wide and suites run in parallel, so this test keeps the process's umask;
    /// `RepositoryModesTests` runs the binary under the most restrictive and permissive ones.
    @Test func modesAre0600And0700() async throws {
        let directory = TemporaryDirectory()

        let storage = PosixStorage(root: directory.path + "/a/repo")
        try storage.ensureRoot()
        try await storage.write("x/y/durable", contents: [1], options: WriteOptions())
        try await storage.write("x/z/fast", contents: [1], options: WriteOptions(durable: false))
        var writer = try await storage.create("x/y/streamed", options: WriteOptions(noReplace: true))
        try await writer.write([1, 2])
        try await writer.commit()
        let lock = try FileLock.acquire(path: directory.path + "/locks/stanza.lock")
        defer { lock.release() }

        for path in ["/a", "/a/repo", "/a/repo/x", "/a/repo/x/y", "/a/repo/x/z", "/locks"] {
            #expect(TemporaryDirectory.mode(directory.path + path) == 0o700, "\(path)")
        }
        for path in ["/a/repo/x/y/durable", "/a/repo/x/z/fast", "/a/repo/x/y/streamed", "/locks/stanza.lock"] {
            #expect(TemporaryDirectory.mode(directory.path + path) == 0o600, "\(path)")
        }
    }

    @Test func commitsLeaveNoTemporaryFiles() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        try await storage.write("d/durable", contents: [1], options: WriteOptions())
        try await storage.write("d/fast", contents: [2], options: WriteOptions(durable: false))
        var writer = try await storage.create("d/streamed", options: WriteOptions(noReplace: true))
        try await writer.write([3])
        #expect(TemporaryDirectory.rawNames(storage.root + "/d").count == 3)  // the temp file is there...
        try await writer.commit()
        #expect(TemporaryDirectory.rawNames(storage.root + "/d") == ["durable", "fast", "streamed"])
    }

    @Test(arguments: [NoReplaceStrategy.renameat2, .linkThenUnlink])
    func noReplaceFailureRemovesTheTemporaryFile(strategy: NoReplaceStrategy) async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory, strategy: strategy)
        try await storage.write("wal/seg", contents: [1], options: WriteOptions(noReplace: true))

        let failure = await #expect(throws: LifeboatError.self) {
            try await storage.write("wal/seg", contents: [2], options: WriteOptions(noReplace: true))
        }
        #expect(failure == LifeboatError(.alreadyExists, "unable to create '\(storage.root)/wal/seg': File exists"))
        var writer = try await storage.create("wal/seg", options: WriteOptions(durable: false, noReplace: true))
        try await writer.write([3])
        await #expect(throws: LifeboatError.self) { try await writer.commit() }

        #expect(TemporaryDirectory.rawNames(storage.root + "/wal") == ["seg"])
        #expect(try await storage.readAll("wal/seg") == [1])
    }

    @Test func droppedWriterRemovesItsTemporaryFile() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        do {
            var writer = try await storage.create("d/abandoned", options: WriteOptions())
            try await writer.write([1, 2, 3])
            #expect(TemporaryDirectory.rawNames(storage.root + "/d").count == 1)
        }
        #expect(TemporaryDirectory.rawNames(storage.root + "/d") == [])
    }

    @Test func temporaryNamesAreHiddenButOtherDotFilesAreListed() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        try await storage.write("d/.hidden", contents: [1], options: WriteOptions())
        try await storage.write("d/visible", contents: [1], options: WriteOptions())
        // A temp file left by a crashed process.
        let stale = open(storage.root + "/d/.visible.tmp.4242.deadbeef", O_CREAT | O_WRONLY, 0o600)
        close(stale)
        #expect(try await storage.list("d").map(\.name) == [".hidden", "visible"])
    }

    @Test func removeAbandonedWritesTakesOnlyOldTemporaryFilesAtAnyDepth() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        try await storage.write("b/l/data/base/1/1259", contents: [1], options: WriteOptions())
        try await storage.write("b/l/data/.hidden", contents: [1], options: WriteOptions())
        try await storage.write("a/000000010000000000000002", contents: [1], options: WriteOptions())
        func temporary(_ path: String, secondsAgo: Int) {
            let fd = open(storage.root + "/" + path, O_CREAT | O_WRONLY, 0o600)
            close(fd)
            let when = timespec(tv_sec: time(nil) - secondsAgo, tv_nsec: 0)
            var times = [when, when]
            utimensat(AT_FDCWD, storage.root + "/" + path, &times, 0)
        }
        temporary("b/l/data/base/1/.1260.tmp.4242.dead", secondsAgo: 7200)   // a killed backup's
        temporary("b/l/.manifest.json.tmp.4242.beef", secondsAgo: 7200)
        temporary("b/l/data/.1261.tmp.4343.cafe", secondsAgo: 0)             // a writer still at work
        temporary("a/.000000010000000000000003.tmp.1.f00d", secondsAgo: 7200)  // outside the directory

        let cutoff = Date().addingTimeInterval(-3600)
        #expect(try await storage.removeAbandonedWrites(under: "b", olderThan: cutoff) == 2)
        #expect(TemporaryDirectory.rawNames(storage.root + "/b/l/data/base/1") == ["1259"])
        #expect(TemporaryDirectory.rawNames(storage.root + "/b/l/data").sorted() == [".1261.tmp.4343.cafe", ".hidden", "base"])
        #expect(TemporaryDirectory.rawNames(storage.root + "/a").count == 2)
        #expect(try await storage.removeAbandonedWrites(under: "", olderThan: cutoff) == 1)
        #expect(TemporaryDirectory.rawNames(storage.root + "/a") == ["000000010000000000000002"])
        #expect(try await storage.removeAbandonedWrites(under: "absent", olderThan: cutoff) == 0)
        await #expect(throws: LifeboatError.self) { _ = try await storage.removeAbandonedWrites(under: "../x", olderThan: cutoff) }
    }

    @Test func syncAllMakesNonDurableCommitsDurable() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        for index in 0..<50 {
            try await storage.write("backup/file\(index)", contents: [UInt8(index)], options: WriteOptions(durable: false))
        }
        try await storage.syncAll()
        try await storage.syncAll()  // nothing pending: still fine
        #expect(try await storage.list("backup").count == 50)
        // Also on a value that never wrote (it opens the root then).
        try await PosixStorage(root: storage.root).syncAll()
    }

    @Test func syncAllOfMissingRootNamesIt() async throws {
        let directory = TemporaryDirectory()
        let failure = await #expect(throws: LifeboatError.self) {
            try await PosixStorage(root: directory.path + "/absent").syncAll()
        }
        #expect(failure?.code == .repository)
        #expect(failure?.message == "unable to open directory '\(directory.path)/absent': No such file or directory")
    }

    @Test func writingIntoAMissingRootFailsInsteadOfCreatingIt() async throws {
        let directory = TemporaryDirectory()
        let storage = PosixStorage(root: directory.path + "/absent")
        let failure = await #expect(throws: LifeboatError.self) {
            try await storage.write("archive/x", contents: [1], options: WriteOptions())
        }
        #expect(failure?.code == .repository)
        #expect(failure?.message == "unable to create directory '\(directory.path)/absent/archive': No such file or directory")
        #expect(TemporaryDirectory.rawNames(directory.path) == [])
    }

    @Test func errorsNameTheAbsolutePathAndTheReason() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        let root = storage.root
        try await storage.write("d/file", contents: [1], options: WriteOptions())

        let missing = await #expect(throws: LifeboatError.self) { _ = try await storage.openRead("d/none") }
        #expect(missing == LifeboatError(.notFound, "unable to open '\(root)/d/none' for reading: No such file or directory"))

        let directoryRead = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("d") }
        #expect(directoryRead == LifeboatError(.repository, "unable to open '\(root)/d' for reading: Is a directory"))

        let underFile = await #expect(throws: LifeboatError.self) {
            try await storage.write("d/file/child", contents: [1], options: WriteOptions())
        }
        #expect(underFile == LifeboatError(.repository, "unable to open '\(root)/d/file/child' for writing: Not a directory"))

        let removeDirectory = await #expect(throws: LifeboatError.self) { try await storage.remove("d") }
        #expect(removeDirectory?.code == .repository)
        #expect(removeDirectory?.message == "unable to remove '\(root)/d': Is a directory")

        let unsafe = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("../etc/passwd") }
        #expect(unsafe == LifeboatError(.unsafePath, "unsafe repository path '../etc/passwd': it has a '..' component"))
    }

    @Test(.enabled(if: getuid() != 0, "root reads files whatever their mode"))
    func permissionErrorsCarryAHint() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        try await storage.write("secret", contents: [1], options: WriteOptions())
        chmod(storage.root + "/secret", 0)
        let failure = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("secret") }
        #expect(failure?.code == .repository)
        #expect(failure?.message == "unable to open '\(storage.root)/secret' for reading: Permission denied")
        #expect(failure?.hint != nil)
    }

    @Test func ensureRootIsIdempotentAndRefusesAFile() async throws {
        let directory = TemporaryDirectory()
        let storage = PosixStorage(root: directory.path + "/one/two")
        try storage.ensureRoot()
        try storage.ensureRoot()
        #expect(TemporaryDirectory.mode(storage.root) == 0o700)

        try await storage.write("file", contents: [1], options: WriteOptions())
        let failure = #expect(throws: LifeboatError.self) { try PosixStorage(root: storage.root + "/file").ensureRoot() }
        #expect(failure?.code == .repository)
        #expect(failure?.message == "unable to use repository directory '\(storage.root)/file': Not a directory")
    }

    @Test func removeTreeRemovesLinksWithoutFollowingThem() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        let outside = directory.path + "/outside"
        mkdir(outside, 0o700)
        close(open(outside + "/precious", O_CREAT | O_WRONLY, 0o600))
        try await storage.write("tree/file", contents: [1], options: WriteOptions())
        symlink(outside, storage.root + "/tree/link")

        try await storage.removeTree("tree")
        #expect(try await storage.info("tree") == nil)
        #expect(TemporaryDirectory.rawNames(outside) == ["precious"])
    }

    @Test func readerSeesTheFileItOpenedAfterAReplacement() async throws {
        let directory = TemporaryDirectory()
        let storage = try Self.makeStorage(directory)
        try await storage.write("f", contents: [1, 2, 3], options: WriteOptions())
        var reader = try await storage.openRead("f")
        try await storage.write("f", contents: [9], options: WriteOptions())
        #expect(try await reader.readToEnd() == [1, 2, 3])
        reader.close()
        let closed = await #expect(throws: LifeboatError.self) { _ = try await reader.readToEnd() }
        #expect(closed?.code == .internal)
    }
}
