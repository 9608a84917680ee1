import LifeboatCore
import Testing
import LifeboatStorage

/// Engine code drives storage from actors and tasks. This compiles only if the protocol's shape (async
/// methods taking unsafe buffers, non-Sendable readers and writers) is usable there under Swift 6 rules.
actor CopyingActor {
    let storage: any RepositoryStorage
    private var copied: UInt64 = 0

    init(storage: any RepositoryStorage) {
        self.storage = storage
    }

    func copy(_ source: String, to target: String) async throws(LifeboatError) -> UInt64 {
        var reader = try await storage.openRead(source)
        defer { reader.close() }
        var writer = try await storage.create(target, options: WriteOptions(durable: false))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        do throws(LifeboatError) {
            while true {
                let count = try await reader.read(into: buffer)
                if count == 0 { break }
                try await writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
        copied += writer.bytesWritten
        return copied
    }
}

@Suite("Use from actors")
struct ActorUsageTests {
    @Test(arguments: StorageBackend.all)
    func actorCopiesAFile(backend: StorageBackend) async throws {
        try await backend.run { storage in
            try await storage.write("src", contents: StorageConformanceTests.pattern(200_000), options: WriteOptions())
            let copier = CopyingActor(storage: storage)
            #expect(try await copier.copy("src", to: "dst/copy") == 200_000)
            try await storage.syncAll()
            #expect(try await storage.readAll("dst/copy") == StorageConformanceTests.pattern(200_000))
        }
    }
}
