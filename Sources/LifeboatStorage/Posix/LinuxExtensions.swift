import Glibc

/// renameat2 and syncfs, which glibc declares only under _GNU_SOURCE and Swift's Glibc module does not
/// import. They are looked up once in the already-loaded C library by name; calling them through a
/// `@convention(c)` pointer keeps the C calling convention (unlike `@_silgen_name`).
enum LinuxExtensions {
    /// `RENAME_NOREPLACE` from <linux/fs.h>: fail with EEXIST instead of replacing the target.
    static let renameNoReplace: UInt32 = 1

    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    typealias SyncFS = @convention(c) (Int32) -> Int32

    /// Both pointers are written once, during lazy initialisation of this global, and only read afterwards.
    private struct Symbols: @unchecked Sendable {
        let renameat2: RenameAt2?
        let syncfs: SyncFS?
    }

    private static let symbols: Symbols = {
        // The main program's handle: it sees the C library already loaded and is never unloaded, so the
        // pointers stay valid and the handle needs no dlclose.
        let process = dlopen(nil, RTLD_NOW)
        return Symbols(
            renameat2: dlsym(process, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) },
            syncfs: dlsym(process, "syncfs").map { unsafeBitCast($0, to: SyncFS.self) })
    }()

    /// Renames `from` to `to` only if `to` does not exist. ENOSYS when the C library lacks renameat2
    /// (glibc < 2.28), which callers treat like the EINVAL of a file system without support.
    static func renameNoReplace(_ from: String, _ to: String) throws(Errno) {
        guard let renameat2 = symbols.renameat2 else { throw Errno(code: ENOSYS) }
        if renameat2(AT_FDCWD, from, AT_FDCWD, to, renameNoReplace) != 0 { throw .current }
    }

    /// Flushes every dirty page and inode of the file system holding `fd`, and (Linux 5.8+) reports
    /// write-back errors that happened since the descriptor was opened.
    static func syncFileSystem(_ fd: Int32) throws(Errno) {
        guard let syncfs = symbols.syncfs else { throw Errno(code: ENOSYS) }
        while syncfs(fd) != 0 {
            if errno != EINTR { throw .current }
        }
    }
}
