import LifeboatCore

extension ArchivePush {
    /// archive-push with several repositories: stores to every one in parallel and succeeds only when
    /// all hold the file durably, so no repository silently lacks WAL. After a partial failure PostgreSQL
    /// retries the whole command; repositories that already hold the file accept it again as identical.
    public static func runAll(_ context: EngineContext, walPath: String) async throws -> ArchivePushReport {
        let targets = context.targets
        if targets.count == 1 { return try await run(context.using(targets[0]), walPath: walPath) }
        let outcomes = await withTaskGroup(of: (Int, Result<ArchivePushReport, LifeboatError>).self) { group in
            for (position, target) in targets.enumerated() {
                group.addTask {
                    do {
                        return (position, .success(try await run(context.using(target), walPath: walPath)))
                    } catch {
                        return (position, .failure(asLifeboatError(error)))
                    }
                }
            }
            var collected: [(Int, Result<ArchivePushReport, LifeboatError>)] = []
            for await outcome in group { collected.append(outcome) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var failures: [(RepositoryTarget, LifeboatError)] = []
        var stored: [String] = []
        var first: ArchivePushReport?
        for (target, outcome) in zip(targets, outcomes) {
            switch outcome {
            case .success(let report):
                stored.append(target.label)
                first = first ?? report
            case .failure(let error):
                failures.append((target, error))
            }
        }
        guard let failure = failures.first else {
            var report = first!
            report.repositories = stored
            return report
        }
        let (failedTarget, error) = failure
        let others = failures.dropFirst().map { "\($0.0.label): \($0.1.message)" }
        let held = stored.isEmpty ? "no repository holds it" : "held durably by \(stored.joined(separator: ", "))"
        throw LifeboatError(
            error.code,
            "archive-push of '\(LocalFS.baseName(of: walPath))' failed in \(failedTarget.label): \(error.message)"
                + (others.isEmpty ? "" : "; " + others.joined(separator: "; ")) + " (\(held))",
            hint: error.hint ?? "PostgreSQL keeps the segment and retries; fix that repository and archiving resumes")
    }
}
