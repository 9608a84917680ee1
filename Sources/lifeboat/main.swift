#if canImport(Glibc)
import Glibc
#endif
import LifeboatCLI

// Whatever the caller's umask, what Lifeboat creates is private to its owner (repository files 0600,
// directories 0700) and writable by it: a umask like 0277 would otherwise make a directory one worker
// just created unwritable for another worker creating a file inside it before the mode is fixed.
umask(0o077)
await LifeboatMain.run()
