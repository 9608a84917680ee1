import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage
import Testing
@testable import LifeboatEngine

@Suite("audit trail: append-only, hash-chained, one object per record")
struct AuditTrailTests {
    func trail() async throws -> (MemoryStorage, AuditTrail) {
        let storage = MemoryStorage()
        try await storage.write("main/stanza.json", contents: Array("{}".utf8), options: WriteOptions())
        return (storage, AuditTrail(storage: storage, stanza: "main"))
    }

    func event(_ command: String, _ label: String) -> AuditEvent {
        AuditEvent(command: command, outcome: .ok, labels: [label], sizes: ["stored": 42], details: ["type": "full"])
    }

    @Test("records are numbered from 1, stored as canonical JSON and chained to the previous record's bytes")
    func chain() async throws {
        let (storage, trail) = try await trail()
        let first = try await trail.append(event("backup", "A"), at: Date(timeIntervalSince1970: 1_790_000_000))
        let second = try await trail.append(AuditEvent(command: "expire", outcome: .failed, error: "boom"))
        #expect(first.sequence == 1 && second.sequence == 2)
        #expect(first.previousSha256 == AuditRecord.genesisSha256)
        let firstBytes = try await storage.readAll("main/audit/000000000001.json")
        #expect(second.previousSha256 == SHA256Hasher.hex(of: firstBytes))
        #expect(firstBytes == (try first.canonicalBytes()))
        let text = String(decoding: firstBytes, as: UTF8.self)
        #expect(text.hasPrefix("{\"command\":\"backup\",\"details\":{\"type\":\"full\"},\"host\":"))
        #expect(!text.contains("\n"))
        let verified = try await trail.verify()
        #expect(verified.count == 2)
        #expect(verified.records == [first, second])
        #expect(verified.lastSha256 == SHA256Hasher.hex(of: try await storage.readAll("main/audit/000000000002.json")))
    }

    @Test("since selects records but the whole chain is verified")
    func since() async throws {
        let (_, trail) = try await trail()
        try await trail.append(event("backup", "A"), at: Date(timeIntervalSince1970: 1_000))
        try await trail.append(event("backup", "B"), at: Date(timeIntervalSince1970: 2_000))
        let verified = try await trail.verify(since: Date(timeIntervalSince1970: 1_500))
        #expect(verified.records.map(\.labels) == [["B"]])
        #expect(verified.count == 2)
    }

    @Test("an edited record is named by its own hash")
    func edited() async throws {
        let (storage, trail) = try await trail()
        for label in ["A", "B", "C"] { try await trail.append(event("backup", label)) }
        var bytes = try await storage.readAll("main/audit/000000000002.json")
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "B")))
        bytes[index] = UInt8(ascii: "X")
        try await storage.write("main/audit/000000000002.json", contents: bytes, options: WriteOptions())
        await #expect(throws: LifeboatError(
            .auditChainBroken, "audit record 2 of stanza 'main' was edited: its content does not match its own hash",
            hint: "the audit trail was tampered with or damaged at sequence 2; keep the repository as evidence and investigate")) {
            try await trail.verify()
        }
    }

    @Test("a removed record is named")
    func removed() async throws {
        let (storage, trail) = try await trail()
        for label in ["A", "B", "C"] { try await trail.append(event("backup", label)) }
        try await storage.remove("main/audit/000000000002.json")
        await #expect(throws: LifeboatError(
            .auditChainBroken, "record 2 is missing from the audit trail of stanza 'main'",
            hint: "the audit trail was tampered with or damaged at sequence 2; keep the repository as evidence and investigate")) {
            try await trail.verify()
        }
    }

    @Test("reordered records are detected")
    func reordered() async throws {
        let (storage, trail) = try await trail()
        for label in ["A", "B", "C"] { try await trail.append(event("backup", label)) }
        let one = try await storage.readAll("main/audit/000000000001.json")
        let two = try await storage.readAll("main/audit/000000000002.json")
        try await storage.write("main/audit/000000000001.json", contents: two, options: WriteOptions())
        try await storage.write("main/audit/000000000002.json", contents: one, options: WriteOptions())
        await #expect(throws: LifeboatError.self) { try await trail.verify() }
        do { _ = try await trail.verify() } catch { #expect((error as? LifeboatError)?.message.hasPrefix("audit record 1 of stanza 'main' holds record 2") == true) }
    }

    @Test("a record rewritten with a forged hash of its own still breaks the next link")
    func forged() async throws {
        let (storage, trail) = try await trail()
        for label in ["A", "B", "C"] { try await trail.append(event("backup", label)) }
        var record = try #require(AuditRecord.decode(try await storage.readAll("main/audit/000000000001.json")))
        record.labels = ["FORGED"]
        try await storage.write("main/audit/000000000001.json", contents: try record.sealed().canonicalBytes(), options: WriteOptions())
        do {
            _ = try await trail.verify()
            Issue.record("forgery not detected")
        } catch {
            #expect((error as? LifeboatError)?.code == .auditChainBroken)
            #expect((error as? LifeboatError)?.message == "audit record 2 of stanza 'main' does not chain to record 1: a record was edited, removed or replaced")
        }
    }

    @Test("concurrent writers never share a sequence number and the chain stays valid")
    func concurrent() async throws {
        let (_, trail) = try await trail()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 { group.addTask { try await trail.append(self.event("drill", "L\(index)")) } }
            try await group.waitForAll()
        }
        let verified = try await trail.verify()
        #expect(verified.count == 20)
        #expect(Set(verified.records.flatMap(\.labels)).count == 20)
    }

    @Test("no trail is started where the stanza does not exist")
    func noStanza() async throws {
        let storage = MemoryStorage()
        await #expect(throws: LifeboatError.self) { try await AuditTrail(storage: storage, stanza: "main").append(event("backup", "A")) }
        #expect(try await storage.list("").isEmpty)
    }
}

@Suite("audit trail: the newest record is protected too")
struct AuditTrailTailTests {
    func filled() async throws -> (MemoryStorage, AuditTrail) {
        let storage = MemoryStorage()
        try await storage.write("main/stanza.json", contents: Array("{}".utf8), options: WriteOptions())
        let trail = AuditTrail(storage: storage, stanza: "main")
        for label in ["A", "B"] { try await trail.append(AuditEvent(command: "backup", outcome: .ok, labels: [label])) }
        return (storage, trail)
    }

    @Test("an edit of the newest record is detected by its own hash")
    func editNewest() async throws {
        let (storage, trail) = try await filled()
        var bytes = try await storage.readAll("main/audit/000000000002.json")
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "B")))
        bytes[index] = UInt8(ascii: "C")
        try await storage.write("main/audit/000000000002.json", contents: bytes, options: WriteOptions())
        await #expect(throws: LifeboatError(
            .auditChainBroken, "audit record 2 of stanza 'main' was edited: its content does not match its own hash",
            hint: "the audit trail was tampered with or damaged at sequence 2; keep the repository as evidence and investigate")) {
            try await trail.verify()
        }
    }

    @Test("removing the newest record is detected through the head")
    func removeNewest() async throws {
        let (storage, trail) = try await filled()
        try await storage.remove("main/audit/000000000002.json")
        await #expect(throws: LifeboatError(
            .auditChainBroken, "audit trail of stanza 'main' ends at record 1 but record 2 was written: records were removed from its end",
            hint: "the audit trail was tampered with or damaged at sequence 2; keep the repository as evidence and investigate")) {
            try await trail.verify()
        }
    }
}
