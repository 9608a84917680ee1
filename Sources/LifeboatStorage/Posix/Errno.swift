import Glibc

/// A failed system call's errno, caught right after the call (before anything can overwrite it) and
/// turned into a `LifeboatError` by the caller, who knows which path and operation to name.
struct Errno: Error, Equatable {
    let code: Int32

    /// The errno of the call that just failed.
    static var current: Errno { Errno(code: errno) }

    /// The C library's text, e.g. "Permission denied", as operators know it from other tools.
    var text: String { String(cString: strerror(code)) }
}
