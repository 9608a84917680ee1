import Foundation
import Testing

/// Repository files are 0600 and directories 0700 whatever umask the operator's shell has:
/// a permissive umask must not expose backups, a restrictive one must not make the repository unwritable.
@Suite("repository modes do not depend on the umask", .serialized)
struct RepositoryModesTests {
    @Test(arguments: ["277", "000"])
    func modes(umask: String) async throws {
        try await withLab(initStanza: false) { lab in
            for command in [["init"], ["backup", "--start-fast"], ["verify"]] {
                let result = try await lab.lifeboat(command, umask: umask)
                #expect(result.exitCode == 0, "\(command): \(result.stderr)")
            }
            let root = URL(fileURLWithPath: lab.repository + "/" + lab.stanza)
            var checked = 0
            let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
            while let relative = enumerator.nextObject() as? String {
                var info = stat()
                #expect(lstat(root.path + "/" + relative, &info) == 0)
                let mode = info.st_mode & 0o7777
                let isDirectory = info.st_mode & S_IFMT == S_IFDIR
                #expect(mode == (isDirectory ? 0o700 : 0o600), "\(relative) has mode \(String(mode, radix: 8))")
                checked += 1
            }
            #expect(checked > 100, "the backup's files were all looked at")
        }
    }
}
