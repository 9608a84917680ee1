import LifeboatCore
import Testing
@testable import LifeboatStorage

@Suite("MemoryStorage")
struct MemoryStorageTests {
    @Test func describesItself() {
        let storage = MemoryStorage()
        #expect(storage.displayName == "memory")
        #expect(storage.capabilities == [.atomicNoReplace])
    }

    @Test func crashLosesOnlyWhatWasNeitherDurableNorSynced() async throws {
        let storage = MemoryStorage()
        try await storage.write("durable", contents: [1], options: WriteOptions())
        try await storage.write("synced", contents: [2], options: WriteOptions(durable: false))
        try await storage.syncAll()
        try await storage.write("lost", contents: [3], options: WriteOptions(durable: false))
        try await storage.write("durable", contents: [4], options: WriteOptions(durable: false))
        try await storage.remove("synced")
        #expect(storage.allPaths() == ["durable", "lost"])

        storage.simulateCrash()
        #expect(storage.allPaths() == ["durable", "synced"])
        #expect(try await storage.readAll("durable") == [1])
        #expect(try await storage.readAll("synced") == [2])
    }

    @Test func directoriesFollowTheFilesUnderThem() async throws {
        let storage = MemoryStorage()
        try await storage.write("a/b/c", contents: [1], options: WriteOptions())
        let file = await #expect(throws: LifeboatError.self) {
            try await storage.write("a/b/c/d", contents: [1], options: WriteOptions())
        }
        #expect(file == LifeboatError(.repository, "unable to create directory 'a/b/c': Not a directory"))
        let directory = await #expect(throws: LifeboatError.self) {
            try await storage.write("a/b", contents: [1], options: WriteOptions())
        }
        #expect(directory?.code == .repository)
        try await storage.remove("a/b/c")
        #expect(try await storage.info("a") == nil)
    }
}
