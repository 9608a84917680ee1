import Foundation
import LifeboatCore
import LifeboatPostgres

/// The OS user that owns and runs test clusters: "postgres" under root (initdb and postgres refuse
/// root), otherwise whoever runs the tests.
struct ClusterUser: Sendable {
    let name: String

    static var forThisProcess: ClusterUser {
        ClusterUser(name: OSUser.isRoot ? "postgres" : OSUser.currentName)
    }

    /// Creates a directory owned by the cluster user with `mode`.
    func makeDirectory(_ path: String, mode: Int) throws(LifeboatError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw LifeboatError(.io, "unable to create directory '\(path)': \(error.localizedDescription)")
        }
        try give(path)
        // chmod after creation: the umask would otherwise trim the mode.
        guard chmod(path, mode_t(mode)) == 0 else {
            throw LifeboatError(.io, "unable to chmod '\(path)': errno \(errno)")
        }
    }

    /// chowns one path to the cluster user; nothing to do unless we are root.
    func give(_ path: String) throws(LifeboatError) {
        guard OSUser.isRoot else { return }
        let (uid, gid) = try ids()
        guard chown(path, uid, gid) == 0 else {
            throw LifeboatError(.io, "unable to chown '\(path)' to '\(name)': errno \(errno)")
        }
    }

    private func ids() throws(LifeboatError) -> (uid_t, gid_t) {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &found) == 0, let found else {
            throw LifeboatError(.io, "OS user '\(name)' does not exist", hint: "install the postgresql package, which creates it")
        }
        return (found.pointee.pw_uid, found.pointee.pw_gid)
    }
}
