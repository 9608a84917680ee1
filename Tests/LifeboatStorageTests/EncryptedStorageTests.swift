import Testing
import LifeboatCore
@testable import LifeboatStorage

/// The chunked AES-256-GCM object format: every size round-trips, and every way of tampering with the
/// stored bytes (flip, truncate, reorder, splice, other key, other path) is refused naming the object.
@Suite struct EncryptedStorageTests {
    static let chunk = EncryptedObjectFormat.chunkSize
    static let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5, 2 * chunk]

    static func pattern(_ count: Int) -> [UInt8] {
        var state: UInt32 = 7
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    struct Fixture {
        let base = MemoryStorage()
        let keys = CipherKeys.random()
        var storage: EncryptedStorage { EncryptedStorage(base: base, stanza: "main", keys: keys) }

        func stored(_ path: String) async throws -> [UInt8] { try await base.readAll(path) }
        func replaceStored(_ path: String, with bytes: [UInt8]) async throws {
            try await base.write(path, contents: bytes, options: WriteOptions())
        }
    }

    static func expectTampered(_ storage: any RepositoryStorage, _ path: String) async {
        do {
            _ = try await storage.readAll(path)
            Issue.record("reading tampered '\(path)' succeeded")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message == "stored file '\(path)' failed authentication: it was modified or truncated")
        }
    }

    @Test(arguments: sizes)
    func roundTripsAndReportsPlaintextSizes(size: Int) async throws {
        let fixture = Fixture()
        let content = Self.pattern(size)
        // Streamed in uneven pieces through the writer, read back in pieces of another size.
        var writer = try await fixture.storage.create("main/a/file", options: WriteOptions())
        var offset = 0
        while offset < content.count {
            let end = min(offset + 10_007, content.count)
            try await writer.write(Array(content[offset..<end]))
            offset = end
        }
        try await writer.commit()
        #expect(writer.bytesWritten == UInt64(size))
        #expect(try await fixture.storage.readAll("main/a/file") == content)
        var reader = try await fixture.storage.openRead("main/a/file")
        #expect(try await reader.readToEnd(chunkSize: 333) == content)
        reader.close()
        #expect(try await fixture.storage.info("main/a/file")?.size == UInt64(size))
        #expect(try await fixture.storage.list("main/a").map(\.size) == [UInt64(size)])
        let stored = try await fixture.stored("main/a/file")
        #expect(UInt64(stored.count) == EncryptedObjectFormat.storedSize(plainSize: UInt64(size)))
    }

    @Test func sizeArithmeticInvertsForEveryLengthAroundChunkBoundaries() {
        for size in [0, 1, 2, Self.chunk - 1, Self.chunk, Self.chunk + 1, 5 * Self.chunk, 5 * Self.chunk + 17] {
            let stored = EncryptedObjectFormat.storedSize(plainSize: UInt64(size))
            #expect(EncryptedObjectFormat.plainSize(storedSize: stored) == UInt64(size))
        }
        #expect(EncryptedObjectFormat.plainSize(storedSize: 10) == nil)
        // Header plus fewer than 16 bytes after the last full chunk: no object is that long.
        #expect(EncryptedObjectFormat.plainSize(storedSize: UInt64(40 + EncryptedObjectFormat.sealedChunkSize + 3)) == nil)
    }

    @Test func storesNoPlaintext() async throws {
        let fixture = Fixture()
        let secret = Array(String(repeating: "customer-ssn-123-45-6789 ", count: 100).utf8)
        try await fixture.storage.write("main/f", contents: secret, options: WriteOptions())
        let stored = try await fixture.stored("main/f")
        #expect(!stored.contains(subsequence: Array("customer-ssn".utf8)))
        // Two writes of the same content differ (random per-object salt, so a fresh key per object).
        try await fixture.storage.write("main/g", contents: secret, options: WriteOptions())
        #expect(try await fixture.stored("main/g").dropFirst(8) != stored.dropFirst(8))
    }

    @Test(arguments: [0, 1, chunk, 2 * chunk + 9])
    func truncationAnywhereIsDetected(size: Int) async throws {
        let fixture = Fixture()
        try await fixture.storage.write("main/t", contents: Self.pattern(size), options: WriteOptions())
        let stored = try await fixture.stored("main/t")
        var cuts = [stored.count - 1, stored.count - 16, EncryptedObjectFormat.headerSize]
        // Cut exactly at a chunk boundary: every remaining chunk intact, the final one missing.
        if size >= Self.chunk { cuts.append(EncryptedObjectFormat.headerSize + EncryptedObjectFormat.sealedChunkSize) }
        for cut in cuts where cut >= 0 && cut < stored.count {
            try await fixture.replaceStored("main/t", with: Array(stored[0..<cut]))
            await Self.expectTampered(fixture.storage, "main/t")
        }
        try await fixture.replaceStored("main/t", with: stored + [0])
        await Self.expectTampered(fixture.storage, "main/t")
    }

    @Test func aFlippedBitAnywhereIsDetected() async throws {
        let fixture = Fixture()
        try await fixture.storage.write("main/b", contents: Self.pattern(Self.chunk + 100), options: WriteOptions())
        let stored = try await fixture.stored("main/b")
        // In the salt, in the first chunk's ciphertext and tag, in the final chunk.
        for index in [10, 40, 41 + Self.chunk / 2, 40 + Self.chunk + 3, stored.count - 1, stored.count - 30] {
            var copy = stored
            copy[index] ^= 0x01
            try await fixture.replaceStored("main/b", with: copy)
            await Self.expectTampered(fixture.storage, "main/b")
        }
    }

    @Test func reorderedChunksAreDetected() async throws {
        let fixture = Fixture()
        try await fixture.storage.write("main/r", contents: Self.pattern(3 * Self.chunk), options: WriteOptions())
        let stored = try await fixture.stored("main/r")
        let header = EncryptedObjectFormat.headerSize, sealed = EncryptedObjectFormat.sealedChunkSize
        let first = Array(stored[header..<(header + sealed)])
        let second = Array(stored[(header + sealed)..<(header + 2 * sealed)])
        let swapped = Array(stored[0..<header]) + second + first + Array(stored[(header + 2 * sealed)...])
        try await fixture.replaceStored("main/r", with: swapped)
        await Self.expectTampered(fixture.storage, "main/r")
    }

    @Test func anObjectMovedToAnotherPathOrReadWithAnotherKeyIsRefused() async throws {
        let fixture = Fixture()
        try await fixture.storage.write("main/archive/one", contents: Self.pattern(1000), options: WriteOptions())
        try await fixture.storage.write("main/archive/two", contents: Self.pattern(999), options: WriteOptions())
        try await fixture.replaceStored("main/archive/two", with: try await fixture.stored("main/archive/one"))
        await Self.expectTampered(fixture.storage, "main/archive/two")

        let other = EncryptedStorage(base: fixture.base, stanza: "main", keys: .random())
        await Self.expectTampered(other, "main/archive/one")
        // Splicing: the first chunk of one object with the end of another object, both under the same key.
        try await fixture.storage.write("main/x", contents: Self.pattern(2 * Self.chunk), options: WriteOptions())
        try await fixture.storage.write("main/y", contents: Self.pattern(2 * Self.chunk), options: WriteOptions())
        let x = try await fixture.stored("main/x"), y = try await fixture.stored("main/y")
        let cut = EncryptedObjectFormat.headerSize + EncryptedObjectFormat.sealedChunkSize
        try await fixture.replaceStored("main/x", with: Array(x[0..<cut]) + Array(y[cut...]))
        await Self.expectTampered(fixture.storage, "main/x")
    }

    @Test func aPlainObjectInAnEncryptedRepositoryIsNamed() async throws {
        let fixture = Fixture()
        try await fixture.base.write("main/plain", contents: Array("{\"hello\": 1}".utf8), options: WriteOptions())
        do {
            _ = try await fixture.storage.readAll("main/plain")
            Issue.record("a plain object was accepted")
        } catch {
            #expect(error.code == .corrupt && error.message.contains("'main/plain' is not an encrypted Lifeboat object"))
        }
    }

    @Test func nameTagsHideTheHashButTellEqualFromDifferentContent() {
        let keys = CipherKeys.random()
        let sha = String(repeating: "ab", count: 32)
        let tag = keys.nameTag(forSHA256: sha)
        #expect(tag.count == 64 && tag != sha && tag.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(keys.nameTag(forSHA256: sha) == tag)
        #expect(keys.nameTag(forSHA256: String(repeating: "cd", count: 32)) != tag)
        #expect(CipherKeys.random().nameTag(forSHA256: sha) != tag)
    }
}

/// The key file: a passphrase unlocks the stanza, a wrong one is refused, rotation keeps the data.
@Suite struct CipherKeyFileTests {
    @Test func initCreatesTheKeyFileAndOnlyTheRightPassphraseOpensIt() async throws {
        let base = MemoryStorage()
        let creating = EncryptedStorage(base: base, stanza: "main", passphrase: CipherPassphrase("correct horse"), createKey: true)
        try await creating.write("main/stanza.json", contents: Array("{}".utf8), options: WriteOptions())
        let keyFile = String(decoding: try await base.readAll("main/cipher.json"), as: UTF8.self)
        #expect(keyFile.contains("\"scrypt\"") && !keyFile.contains("correct horse"))
        // The key file itself lists with its real size; it is the only clear object.
        #expect(try await creating.info("main/cipher.json")?.size == UInt64(keyFile.utf8.count))

        let reopened = EncryptedStorage(base: base, stanza: "main", passphrase: CipherPassphrase("correct horse"))
        #expect(try await reopened.readAll("main/stanza.json") == Array("{}".utf8))

        let wrong = EncryptedStorage(base: base, stanza: "main", passphrase: CipherPassphrase("wrong"))
        do {
            try await wrong.unlock()
            Issue.record("a wrong passphrase was accepted")
        } catch {
            #expect(error.code == .cipher && error.message.contains("wrong passphrase"))
            #expect(!error.description.contains("wrong\"") && !error.description.contains("correct horse"))
        }
    }

    @Test func rewrappingKeepsTheMasterKeyAndRetiresTheOldPassphrase() throws {
        let (file, keys) = try CipherKeyFile.create(passphrase: CipherPassphrase("old"))
        let rotated = try CipherKeyFile.rewrap(keys, passphrase: CipherPassphrase("new"))
        #expect(rotated.kdf.salt != file.kdf.salt)
        let unwrapped = try rotated.unwrap(passphrase: CipherPassphrase("new"), path: "k")
        #expect(unwrapped.nameTag(forSHA256: "x") == keys.nameTag(forSHA256: "x"))
        #expect(throws: LifeboatError.self) { try rotated.unwrap(passphrase: CipherPassphrase("old"), path: "k") }
    }

    @Test func aStanzaWithoutKeyFileIsNotSilentlyTreatedAsEncrypted() async throws {
        let base = MemoryStorage()
        try await base.write("main/stanza.json", contents: Array("{}".utf8), options: WriteOptions())
        for createKey in [false, true] {
            let storage = EncryptedStorage(base: base, stanza: "main", passphrase: CipherPassphrase("p"), createKey: createKey)
            do {
                try await storage.unlock()
                Issue.record("an unencrypted stanza was unlocked")
            } catch {
                #expect(error.code == .cipher)
            }
        }
        let absent = EncryptedStorage(base: MemoryStorage(), stanza: "main", passphrase: CipherPassphrase("p"))
        do {
            try await absent.unlock()
            Issue.record("a missing stanza was unlocked")
        } catch {
            #expect(error.code == .stanzaNotFound)
        }
    }

    @Test func passphrasesNeverPrint() {
        let passphrase = CipherPassphrase("hunter2")
        #expect("\(passphrase)" == "<redacted>" && String(reflecting: passphrase) == "<redacted>")
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
