import Foundation
import LifeboatCore
import Testing
@testable import LifeboatStorage

/// The rules of `RepositoryStorage`, checked once for every driver in `StorageBackend.all`.
@Suite("RepositoryStorage conformance")
struct StorageConformanceTests {
    /// Deterministic content that differs at every offset, so a misplaced chunk cannot go unnoticed.
    static func pattern(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var state = seed &* 2_654_435_761
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }

    static func readByStreaming(_ storage: any RepositoryStorage, _ path: String, bufferSize: Int) async throws -> [UInt8] {
        var reader = try await storage.openRead(path)
        defer { reader.close() }
        return try await reader.readToEnd(chunkSize: bufferSize)
    }

    @Test(arguments: StorageBackend.all)
    func roundTripOfEmptySmallAndMultiMebibyteFiles(backend: StorageBackend) async throws {
        try await backend.run { storage in
            try await storage.write("a/empty", contents: [], options: WriteOptions())
            #expect(try await storage.readAll("a/empty") == [])
            #expect(try await Self.readByStreaming(storage, "a/empty", bufferSize: 16) == [])
            #expect(try await storage.info("a/empty")?.size == 0)

            try await storage.write("a/small", contents: Array("hello".utf8), options: WriteOptions(durable: false))
            #expect(try await storage.readAll("a/small") == Array("hello".utf8))

            // Several chunks of uneven sizes through the streaming writer, read back with another size.
            let large = Self.pattern(5 << 20 + 12_345)
            let cuts = [0, 1 << 20, 1 << 20 + 1, 4 << 20 - 7, large.count]
            var writer = try await storage.create("b/c/large", options: WriteOptions())
            for index in 0..<cuts.count - 1 {
                try await writer.write(Array(large[cuts[index]..<cuts[index + 1]]))
            }
            #expect(writer.bytesWritten == UInt64(large.count))
            try await writer.commit()
            #expect(writer.bytesWritten == UInt64(large.count))

            #expect(try await storage.readAll("b/c/large") == large)
            #expect(try await Self.readByStreaming(storage, "b/c/large", bufferSize: 65_536 + 3) == large)
            let entry = try #require(try await storage.info("b/c/large"))
            #expect(entry == StorageEntry(name: "large", kind: .file, size: UInt64(large.count), modified: entry.modified))
        }
    }

    @Test(arguments: StorageBackend.all)
    func readerReturnsZeroAtEndAndHonoursBufferSize(backend: StorageBackend) async throws {
        try await backend.run { storage in
            try await storage.write("f", contents: Array("abcdef".utf8), options: WriteOptions())
            var reader = try await storage.openRead("f")
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 1)
            defer { buffer.deallocate() }
            var collected: [UInt8] = []
            while true {
                let count = try await reader.read(into: buffer)
                #expect(count <= 4)
                if count == 0 { break }
                collected += UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            }
            #expect(collected == Array("abcdef".utf8))
            #expect(try await reader.read(into: buffer) == 0)
            reader.close()
        }
    }

    @Test(arguments: StorageBackend.all)
    func infoAndListAreSortedAndDescribeEntries(backend: StorageBackend) async throws {
        try await backend.run { storage in
            for name in ["d/b", "d/a", "d/B", "d/sub/x", "d/sub/y/z", "top"] {
                try await storage.write(name, contents: Array(name.utf8), options: WriteOptions(durable: false))
            }
            let listing = try await storage.list("d")
            #expect(listing.map(\.name) == ["B", "a", "b", "sub"])  // byte order: upper case first
            #expect(listing.map(\.kind) == [.file, .file, .file, .directory])
            #expect(listing.map(\.size) == [3, 3, 3, 0])

            #expect(try await storage.list("d/sub").map(\.name) == ["x", "y"])
            let root = try await storage.list("")
            #expect(root.map(\.name) == ["d", "top"])
            #expect(root.map(\.kind) == [.directory, .file])

            let file = try #require(try await storage.info("d/sub/x"))
            #expect(file.name == "x" && file.kind == .file && file.size == 7)
            let directory = try #require(try await storage.info("d/sub"))
            #expect(directory.name == "sub" && directory.kind == .directory && directory.size == 0)
            #expect(try await storage.info("")?.kind == .directory)
        }
    }

    @Test(arguments: StorageBackend.all)
    func absentPathsAreNilOrEmptyNeverErrors(backend: StorageBackend) async throws {
        try await backend.run { storage in
            #expect(try await storage.info("nothing") == nil)
            #expect(try await storage.info("no/such/deep/path") == nil)
            #expect(try await storage.list("nothing") == [])
            #expect(try await storage.list("") == [])
            try await storage.write("file", contents: [1], options: WriteOptions())
            // A file where a directory is expected: absent, as on an object store.
            #expect(try await storage.info("file/child") == nil)
            #expect(try await storage.list("file") == [])
        }
    }

    @Test(arguments: StorageBackend.all)
    func openReadOfAbsentFileThrowsNotFound(backend: StorageBackend) async throws {
        try await backend.run { storage in
            let streaming = await #expect(throws: LifeboatError.self) { _ = try await storage.openRead("a/missing") }
            #expect(streaming?.code == .notFound)
            #expect(streaming?.message.contains("a/missing") == true)
            let whole = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("missing") }
            #expect(whole?.code == .notFound)
            try await storage.write("file", contents: [1], options: WriteOptions())
            let underFile = await #expect(throws: LifeboatError.self) { _ = try await storage.readAll("file/child") }
            #expect(underFile?.code == .notFound)
        }
    }

    @Test(arguments: StorageBackend.all)
    func noReplaceRefusesAnExistingNameAndKeepsItsContent(backend: StorageBackend) async throws {
        try await backend.run { storage in
            let noReplace = WriteOptions(noReplace: true)
            try await storage.write("wal/000000010000000000000001", contents: [1, 2, 3], options: noReplace)

            let direct = await #expect(throws: LifeboatError.self) {
                try await storage.write("wal/000000010000000000000001", contents: [9], options: noReplace)
            }
            #expect(direct?.code == .alreadyExists)

            var writer = try await storage.create("wal/000000010000000000000001", options: WriteOptions(durable: false, noReplace: true))
            try await writer.write([7, 7])
            let streamed = await #expect(throws: LifeboatError.self) { try await writer.commit() }
            #expect(streamed?.code == .alreadyExists)
            #expect(streamed?.message.contains("000000010000000000000001") == true)
            await writer.abort()  // safe after a failed commit
            let again = await #expect(throws: LifeboatError.self) { try await writer.commit() }
            #expect(again?.code == .internal)

            #expect(try await storage.readAll("wal/000000010000000000000001") == [1, 2, 3])
            #expect(try await storage.list("wal").map(\.name) == ["000000010000000000000001"])
        }
    }

    @Test(arguments: StorageBackend.all)
    func concurrentNoReplaceCommitsHaveExactlyOneWinner(backend: StorageBackend) async throws {
        try await backend.run { (storage) async throws in
            let outcomes = await Self.raceNoReplaceWriters(storage, count: 8)
            let winners = outcomes.filter { $0.1 == nil }.map(\.0)
            #expect(winners.count == 1)
            #expect(outcomes.filter { $0.1 == .alreadyExists }.count == 7)
            #expect(try await storage.readAll("race") == winners)
            #expect(try await storage.list("").map(\.name) == ["race"])
        }
    }

    @Test(arguments: StorageBackend.all)
    func overwriteWithoutNoReplaceReplaces(backend: StorageBackend) async throws {
        try await backend.run { storage in
            try await storage.write("x/catalog", contents: Array("old".utf8), options: WriteOptions())
            try await storage.write("x/catalog", contents: Array("newer".utf8), options: WriteOptions())
            #expect(try await storage.readAll("x/catalog") == Array("newer".utf8))
            var writer = try await storage.create("x/catalog", options: WriteOptions(durable: false))
            try await writer.write(Array("newest".utf8))
            try await writer.commit()
            #expect(try await storage.readAll("x/catalog") == Array("newest".utf8))
            #expect(try await storage.info("x/catalog")?.size == 6)
            #expect(try await storage.list("x").map(\.name) == ["catalog"])
        }
    }

    @Test(arguments: StorageBackend.all)
    func abortLeavesNothing(backend: StorageBackend) async throws {
        try await backend.run { storage in
            var writer = try await storage.create("dir/file", options: WriteOptions())
            try await writer.write(Self.pattern(1000))
            await writer.abort()
            await writer.abort()  // idempotent
            #expect(try await storage.info("dir/file") == nil)
            #expect(try await storage.list("dir") == [])
            let late = await #expect(throws: LifeboatError.self) { try await writer.commit() }
            #expect(late?.code == .internal)
            #expect(try await storage.info("dir/file") == nil)

            // Abort after a successful commit changes nothing.
            var committed = try await storage.create("dir/kept", options: WriteOptions())
            try await committed.write([42])
            try await committed.commit()
            await committed.abort()
            #expect(try await storage.readAll("dir/kept") == [42])
        }
    }

    @Test(arguments: StorageBackend.all)
    func uncommittedWriterIsInvisible(backend: StorageBackend) async throws {
        try await backend.run { storage in
            try await storage.write("dir/other", contents: [0], options: WriteOptions())
            var writer = try await storage.create("dir/new", options: WriteOptions())
            try await writer.write(Self.pattern(10_000))
            #expect(try await storage.info("dir/new") == nil)
            #expect(try await storage.list("dir").map(\.name) == ["other"])
            let absent = await #expect(throws: LifeboatError.self) { _ = try await storage.openRead("dir/new") }
            #expect(absent?.code == .notFound)

            // Replacing an existing file: readers keep seeing the old content until commit.
            var replacement = try await storage.create("dir/other", options: WriteOptions())
            try await replacement.write([1, 1, 1])
            #expect(try await storage.readAll("dir/other") == [0])

            try await writer.commit()
            try await replacement.commit()
            #expect(try await storage.readAll("dir/new") == Self.pattern(10_000))
            #expect(try await storage.readAll("dir/other") == [1, 1, 1])
            #expect(try await storage.list("dir").map(\.name) == ["new", "other"])
        }
    }

    @Test(arguments: StorageBackend.all)
    func removeAndRemoveTreeAreIdempotent(backend: StorageBackend) async throws {
        try await backend.run { storage in
            try await storage.remove("never/was")
            try await storage.write("f", contents: [1], options: WriteOptions())
            try await storage.remove("f")
            #expect(try await storage.info("f") == nil)
            try await storage.remove("f")

            for path in ["t/a", "t/b/c", "t/b/d/e", "u/keep"] {
                try await storage.write(path, contents: [2], options: WriteOptions(durable: false))
            }
            try await storage.removeTree("t")
            #expect(try await storage.info("t") == nil)
            #expect(try await storage.info("t/b/c") == nil)
            #expect(try await storage.list("").map(\.name) == ["u"])
            try await storage.removeTree("t")
            try await storage.removeTree("no/such/tree")
            #expect(try await storage.readAll("u/keep") == [2])
        }
    }

    /// Starts `count` writers of one name with noReplace at once; returns each one's id and error code.
    static func raceNoReplaceWriters(_ storage: any RepositoryStorage, count: UInt8) async -> [(UInt8, LifeboatError.Code?)] {
        await withTaskGroup(of: (UInt8, LifeboatError.Code?).self) { group in
            for writerID in UInt8(1)...count {
                group.addTask {
                    do throws(LifeboatError) {
                        var writer = try await storage.create("race", options: WriteOptions(noReplace: true))
                        try await writer.write([writerID])
                        try await writer.commit()
                        return (writerID, nil)
                    } catch {
                        return (writerID, error.code)
                    }
                }
            }
            var outcomes: [(UInt8, LifeboatError.Code?)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    @Test(arguments: StorageBackend.all)
    func removeAbandonedWritesNeverTakesACommittedFile(backend: StorageBackend) async throws {
        try await backend.run { storage in
            let big = Self.pattern(11 << 20)   // multipart on S3
            try await storage.write("b/l/data/big", contents: big, options: WriteOptions())
            try await storage.write("b/l/manifest.json", contents: [1], options: WriteOptions())
            try await storage.write("a/seg", contents: [2], options: WriteOptions(noReplace: true))
            #expect(try await storage.removeAbandonedWrites(under: "", olderThan: Date().addingTimeInterval(3600)) == 0)
            #expect(try await storage.removeAbandonedWrites(under: "b", olderThan: Date().addingTimeInterval(3600)) == 0)
            #expect(try await storage.readAll("b/l/data/big") == big)
            #expect(try await storage.list("b/l").map(\.name) == ["data", "manifest.json"])
            #expect(try await storage.readAll("a/seg") == [2])
            await #expect(throws: LifeboatError.self) { _ = try await storage.removeAbandonedWrites(under: "../b", olderThan: Date()) }
        }
    }

    static let unsafePaths = ["/etc/passwd", "../x", "a/../b", "..", ".", "./a", "a/.", "a//b", "a/", "a\0b"]

    @Test(arguments: StorageBackend.all)
    func unsafePathsAreRejected(backend: StorageBackend) async throws {
        try await backend.run { (storage) async throws in
            for path in Self.unsafePaths + [""] {
                var codes: [LifeboatError.Code?] = []
                func code(_ body: () async throws -> Void) async -> LifeboatError.Code? {
                    do {
                        try await body()
                        return nil
                    } catch {
                        return (error as? LifeboatError)?.code
                    }
                }
                if !path.isEmpty {
                    codes.append(await code { _ = try await storage.info(path) })
                    codes.append(await code { _ = try await storage.list(path) })
                }
                codes.append(await code { _ = try await storage.openRead(path) })
                codes.append(await code { _ = try await storage.readAll(path) })
                codes.append(await code { _ = try await storage.create(path, options: WriteOptions()) })
                codes.append(await code { try await storage.write(path, contents: [1], options: WriteOptions()) })
                codes.append(await code { try await storage.remove(path) })
                codes.append(await code { try await storage.removeTree(path) })
                #expect(codes.allSatisfy { $0 == .unsafePath }, "path \(path.debugDescription): \(codes)")
            }
            #expect(try await storage.list("") == [])
        }
    }
}
