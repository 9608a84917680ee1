/// Nagios plugin states, ordered by severity; the worst check sets the exit code.
public enum CheckStatus: String, Codable, Sendable, Comparable {
    case ok = "OK"
    case warning = "WARNING"
    case critical = "CRITICAL"
    /// Not checked (an option not set, or a prerequisite failed and was reported already).
    case skipped = "SKIPPED"

    var severity: Int {
        switch self {
        case .skipped: return -1
        case .ok: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    public static func < (lhs: CheckStatus, rhs: CheckStatus) -> Bool { lhs.severity < rhs.severity }
}

public struct CheckLine: Codable, Sendable, Equatable {
    public var name: String
    public var status: CheckStatus
    public var message: String
    /// With several repositories, the `repo<N>` a repository line is about (absent otherwise).
    public var repo: Int?

    public init(name: String, status: CheckStatus, message: String, repo: Int? = nil) {
        self.name = name
        self.status = status
        self.message = message
        self.repo = repo
    }
}

/// `lifeboat check`: one line per check and the overall state.
public struct CheckReport: Codable, Sendable {
    public var stanza: String
    public var status: CheckStatus
    /// 0 OK, 1 WARNING, 2 CRITICAL.
    public var exitCode: Int32
    public var checks: [CheckLine]

    public init(stanza: String, checks: [CheckLine]) {
        self.stanza = stanza
        self.checks = checks
        let worst = checks.map(\.status).max() ?? .ok
        self.status = worst == .skipped ? .ok : worst
        self.exitCode = Int32(max(0, self.status.severity))
    }
}
