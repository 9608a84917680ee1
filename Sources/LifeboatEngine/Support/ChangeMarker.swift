import Synchronization

/// Set by a command at the moment it starts changing the repository. Before it, a failure is a refusal
/// that changed nothing (no audit record); after it, the failure is an event the audit trail must keep
/// (a backup that lost its server mid-copy, an expire stopped by a storage error).
public final class ChangeMarker: Sendable {
    private let started = Mutex(false)

    public init() {}

    public func markStarted() { started.withLock { $0 = true } }

    public var hasStarted: Bool { started.withLock { $0 } }
}
