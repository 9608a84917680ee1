import Foundation

/// The operating-system user this process runs as. PostgreSQL's server programs refuse to run as
/// root, so callers decide from this whether to switch to the cluster's owner.
public enum OSUser {
    public static var isRoot: Bool { geteuid() == 0 }

    /// The effective user's login name, or its uid in decimal when it has no passwd entry (as in
    /// some containers).
    public static var currentName: String {
        let uid = geteuid()
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        // getpwuid_r rather than getpwuid: the latter returns a static buffer shared by all threads.
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, let found, let name = found.pointee.pw_name else {
            return String(uid)
        }
        return String(cString: name)
    }
}
