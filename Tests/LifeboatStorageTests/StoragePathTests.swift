import LifeboatCore
import Testing
@testable import LifeboatStorage

@Suite("StoragePath and StorageNaming")
struct StoragePathTests {
    @Test func splitsValidPaths() throws {
        #expect(try StoragePath.components("a/b/c") == ["a", "b", "c"])
        #expect(try StoragePath.components("", allowRoot: true) == [])
        #expect(try StoragePath.components(".hidden/..dots/x..") == [".hidden", "..dots", "x.."])
        #expect(StoragePath.split(["a", "b", "c"]) == ("a/b", "c"))
        #expect(StoragePath.split(["c"]) == ("", "c"))
    }

    @Test(arguments: [
        ("", "the path is empty"),
        ("/abs", "it must be relative to the repository"),
        ("a//b", "it has an empty component"),
        ("a/", "it has an empty component"),
        ("a/./b", "it has a '.' component"),
        ("../b", "it has a '..' component"),
        ("a\0b", "it contains a NUL byte"),
    ])
    func rejectsUnsafePaths(path: String, reason: String) {
        let failure = #expect(throws: LifeboatError.self) { _ = try StoragePath.components(path) }
        #expect(failure == LifeboatError(.unsafePath, "unsafe repository path '\(path)': \(reason)"))
    }

    @Test func temporaryNamesAreHiddenUniqueAndShort() {
        let name = StorageNaming.temporaryName(for: "000000010000000000000001", pid: 4242)
        #expect(name.hasPrefix(".000000010000000000000001.tmp.4242."))
        #expect(StorageNaming.isTemporary(name))
        #expect(name != StorageNaming.temporaryName(for: "000000010000000000000001", pid: 4242))
        #expect(!StorageNaming.isTemporary("000000010000000000000001"))
        #expect(!StorageNaming.isTemporary(".hidden"))
        #expect(!StorageNaming.isTemporary("x.tmp.1"))

        let long = String(repeating: "é", count: 200)  // 400 bytes of UTF-8
        let shortened = StorageNaming.temporaryName(for: long, pid: Int32.max)
        #expect(shortened.utf8.count <= 255)
        #expect(StorageNaming.isTemporary(shortened))
    }
}
