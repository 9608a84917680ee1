#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCore
import LifeboatPostgres

/// The private directory a drill works in: `<drill-path>/lifeboat-drill-<stanza>-XXXXXX` (0700),
/// holding the restored data directory, tablespaces, the socket directory, pg_hba.conf and the log.
/// When Lifeboat runs as root the directory belongs to `postgres`, which runs the server.
struct ScratchDirectory: Sendable {
    let root: String
    let osUser: String?

    var dataDirectory: String { root + "/data" }
    var socketDirectory: String { root + "/socket" }
    var logFile: String { root + "/postgresql.log" }
    var hbaFile: String { root + "/pg_hba.conf" }
    func tablespace(_ oid: UInt32) -> String { root + "/tablespace-\(oid)" }

    static func create(under parent: String, stanza: String) throws -> ScratchDirectory {
        var template = Array("\(parent)/lifeboat-drill-\(stanza)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw LocalFS.ioError("create a scratch directory under", parent) }
        let scratch = ScratchDirectory(root: String(cString: made), osUser: OSUser.isRoot ? "postgres" : nil)
        try LocalFS.makeDirectory(scratch.socketDirectory, mode: 0o700)
        // Trust is safe here: only the owner (and root) can enter the socket directory.
        try LocalFS.writeFileDurably(scratch.hbaFile, Array("local all all trust\n".utf8), mode: 0o600)
        try scratch.giveToServerUser()
        return scratch
    }

    /// Hands everything to the server's OS user (only needed, and only possible, as root).
    func giveToServerUser() throws(LifeboatError) {
        guard let osUser, OSUser.isRoot else { return }
        guard let entry = getpwnam(osUser) else {
            throw LifeboatError(.invalidArgument, "OS user '\(osUser)' does not exist: as root, a drill runs PostgreSQL as '\(osUser)'")
        }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        guard lchown(root, uid, gid) == 0 else { throw LocalFS.ioError("change the owner of", root) }
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            guard lchown(path, uid, gid) == 0 else { throw LocalFS.ioError("change the owner of", path) }
        }
    }

    /// A data directory from a Debian-style cluster keeps postgresql.conf in /etc: give the copy an
    /// empty one so the server starts (the drill's own settings come on the command line).
    func ensureConfigurationFile() throws {
        let path = dataDirectory + "/postgresql.conf"
        if try LocalFS.status(path) == nil { try LocalFS.writeFileDurably(path, [], mode: 0o600) }
    }

    /// Removes the time target (and its action) from the restored postgresql.auto.conf, leaving a
    /// recovery to the end of the archive.
    func dropTimeTarget() throws {
        let path = dataDirectory + "/postgresql.auto.conf"
        let text = String(decoding: try LocalFS.readFile(path), as: UTF8.self)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("recovery_target_time") && !$0.hasPrefix("recovery_target_action") && !$0.hasPrefix("recovery_target_inclusive") }
        try LocalFS.writeFileDurably(path, Array(kept.joined(separator: "\n").utf8), mode: 0o600)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
