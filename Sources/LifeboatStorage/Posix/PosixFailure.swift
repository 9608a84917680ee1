import Glibc
import LifeboatCore

/// Builds the driver's errors: one lower-case line naming the absolute path (the repository root joined
/// with the repository-relative path) and the C library's reason, plus a hint where the cause is usual.
enum PosixFailure {
    /// `unable to <action> '<path>'[ <purpose>]: <reason>`, e.g.
    /// "unable to open '/repo/x/y' for reading: Permission denied". ENOENT becomes `.notFound` only where
    /// the caller says absence is a legitimate answer (reads); everything else is `.repository`.
    static func error(
        _ action: String, _ path: String, _ failure: Errno, purpose: String? = nil, absentIsNotFound: Bool = false
    ) -> LifeboatError {
        let code: LifeboatError.Code = absentIsNotFound && failure.code == ENOENT ? .notFound : .repository
        let purpose = purpose.map { " \($0)" } ?? ""
        return LifeboatError(
            code, "unable to \(action) '\(path)'\(purpose): \(failure.text)", hint: hint(for: failure))
    }

    private static func hint(for failure: Errno) -> String? {
        switch failure.code {
        case EACCES, EPERM:
            return "check that the user running lifeboat owns the repository and can write to it"
        case ENOSPC, EDQUOT:
            return "free space on the repository's file system or expire old backups"
        case EROFS:
            return "the repository's file system is mounted read-only"
        default:
            return nil
        }
    }
}
