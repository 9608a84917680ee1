#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// While a drill runs, SIGINT and SIGTERM stop the scratch PostgreSQL and remove the scratch
/// directory before Lifeboat exits (128 + signal), so an interrupted drill leaves nothing behind.
final class InterruptGuard: @unchecked Sendable {
    private let lock = NSLock()
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

    /// Back to the default dispositions once the drill cleaned up by itself.
    func release() {
        for source in sources { source.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    private func interrupted(by signalNumber: Int32) {
        lock.lock()
        let data = dataDirectory, scratch = scratchDirectory, keep = keep
        lock.unlock()
        let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
        FileHandle.standardError.write(Data("lifeboat: drill interrupted by \(name): stopping the scratch PostgreSQL\(keep ? "" : " and removing \(scratch ?? "the scratch directory")")\n".utf8))
        if let data { ScratchServer.kill(dataDirectory: data, signal: SIGQUIT) }
        if let data { ScratchServer.kill(dataDirectory: data, signal: SIGKILL) }
        if let scratch, !keep { try? FileManager.default.removeItem(atPath: scratch) }
        exit(128 + signalNumber)
    }
}
