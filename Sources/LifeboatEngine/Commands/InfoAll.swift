import Foundation
import LifeboatCore

/// One repository's line in `info` when several are configured.
public struct RepositoryInfo: Codable, Sendable {
    public var index: Int
    public var repository: String
    /// "ok" or "error".
    public var status: String
    public var error: String?
    public var backups: [String]?
    public var archivedFiles: Int?
    public var recoverableWindow: RecoverableWindow?
}

extension InfoCommand {
    /// info with several repositories: each repository's state; the report's main fields describe the
    /// first repository that answered. Fails only when none answers.
    public static func runAll(_ context: EngineContext) async throws -> InfoReport {
        let targets = context.targets
        if targets.count == 1 { return try await run(context.using(targets[0])) }
        var main: InfoReport?
        var firstError: LifeboatError?
        var entries: [RepositoryInfo] = []
        for target in targets {
            do {
                let report = try await run(context.using(target))
                main = main ?? report
                entries.append(RepositoryInfo(
                    index: target.index, repository: target.storage.displayName, status: "ok", error: nil,
                    backups: report.backups.map(\.label), archivedFiles: report.archivedFiles, recoverableWindow: report.recoverableWindow))
            } catch {
                let failure = asLifeboatError(error)
                firstError = firstError ?? failure.naming(target)
                entries.append(RepositoryInfo(index: target.index, repository: target.storage.displayName, status: "error",
                                              error: failure.description))
            }
        }
        guard var report = main else { throw firstError! }
        report.repositories = entries
        return report
    }
}
