import Foundation

/// A dedicated OS thread that runs blocking jobs (libpq calls) one after the other.
///
/// libpq blocks its calling thread for as long as the server takes; running that on Swift's
/// cooperative pool (two threads on a two-core machine) would starve every other task. Jobs run in
/// submission order, which also serialises the calls of one connection.
final class BlockingThread: @unchecked Sendable {  // unchecked: `jobs` and `stopping` are guarded by `condition`
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    init(name: String) {
        // The thread holds the only strong reference that matters until `stop()` lets its loop end.
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result. Returns nil without running it when the
    /// thread has been stopped.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let accepted = submit { continuation.resume(returning: body()) }
            if !accepted { continuation.resume(returning: nil) }
        }
    }

    /// Lets the thread finish the jobs already queued, then exit. Never waits, so it is safe to call
    /// from the thread itself (e.g. from a deinit that runs there).
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {  // stopping, and nothing left to do
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
