#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// While a drill runs, SIGINT and SIGTERM stop the scratch PostgreSQL and remove the scratch
/// directory before Lifeboat exits (128 + signal), so an interrupted drill leaves nothing behind.
final class InterruptGuard: @unchecked Sendable {
    private let lock = NSLock()
    /// Held by whoever cleans up: the interrupt path (which then exits without returning) or the
    /// drill's own cleanup, so the two never remove the same files at once.
    private let cleanupLock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var dataDirectory: String?
    private var scratchDirectory: String?
    private var keep = false

    func watch(scratchDirectory: String, dataDirectory: String, keep: Bool) {
        lock.lock()
        self.scratchDirectory = scratchDirectory
        self.dataDirectory = dataDirectory
        self.keep = keep
        lock.unlock()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.interrupted(by: signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// The drill's own cleanup starts: from now on an interrupt waits for it (and then exits).
    func beginCleanup() {
        cleanupLock.lock()
    }

    /// Back to the default dispositions once the drill cleaned up by itself.
    func release() {
        for source in sources { source.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        cleanupLock.unlock()
    }

    private func interrupted(by signalNumber: Int32) {
        cleanupLock.lock()  // never released: this path ends the process
        lock.lock()
        let data = dataDirectory, scratch = scratchDirectory, keep = keep
        lock.unlock()
        let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
        FileHandle.standardError.write(Data("lifeboat: drill interrupted by \(name): stopping the scratch PostgreSQL\(keep ? "" : " and removing \(scratch ?? "the scratch directory")")\n".utf8))
        if let data { ScratchServer.kill(dataDirectory: data, signal: SIGQUIT) }
        if let data { ScratchServer.kill(dataDirectory: data, signal: SIGKILL) }
        if let scratch, !keep { try? FileManager.default.removeItem(atPath: scratch) }
        // _exit: the drill's tasks are still running; atexit handlers must not wait for them.
        _exit(128 + signalNumber)
    }
}
