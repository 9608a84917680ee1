import LifeboatCore

extension RestoreCommand {
    /// Errors a restore raises before it writes anything because the repository cannot serve it: the next
    /// repository may.
    static let fallbackCodes: Set<LifeboatError.Code> = [.repository, .stanzaNotFound, .backupNotFound, .targetOutOfRange, .cipher, .notFound]
    /// Of those, the ones that say the repository itself cannot be read (rather than lacking this backup).
    static let unusableCodes: Set<LifeboatError.Code> = [.repository, .stanzaNotFound, .cipher]

    /// restore with several repositories: the first repository that has a backup for the target is used;
    /// one that is unreachable or lacks it is skipped for the next, as long as nothing was written yet.
    public static func runWithFallback(_ context: EngineContext, options: RestoreOptions) async throws -> RestoreReport {
        let targets = context.targets
        if targets.count == 1 { return try await run(context.using(targets[0]), options: options) }
        var failures: [LifeboatError] = []
        for target in targets {
            var serving = context.using(target)
            // The restored cluster's archive-get would meet an unreadable repository for every file it asks
            // for; a file absent from the others (the end of the archive) would then stop recovery (exit 126)
            // instead of ending it: its restore_command reads only the repository that served the restore.
            let unusable = failures.first { unusableCodes.contains($0.code) }
            if unusable != nil { serving.restoreCommandOptions += ["--repo", String(target.index)] }
            do {
                let report = try await run(serving, options: options)
                if let unusable {
                    context.logger.warning("the restored cluster's restore_command reads \(target.label) only, as \(unusable.message)")
                }
                return report
            } catch {
                let failure = asLifeboatError(error)
                // A restore that wrote into the target cannot be retried from another repository (unless
                // --force, which empties the directory again, or --delta, which rebuilds whatever is there).
                let untouched = options.force || options.delta || ((try? LocalFS.entries(of: options.pgData).isEmpty) ?? true)
                guard fallbackCodes.contains(failure.code), untouched else { throw failure.naming(target) }
                context.logger.warning("\(target.label): \(failure.message); trying the next repository")
                failures.append(failure.naming(target))
            }
        }
        let first = failures[0]
        throw LifeboatError(first.code, "no repository can serve this restore: " + failures.map(\.message).joined(separator: "; "),
                            hint: first.hint)
    }
}
