import LifeboatCore

extension ArchiveGet {
    /// archive-get with several repositories: the first repository that has the file serves it; one that
    /// fails (unreachable, wrong passphrase, damaged copy) is skipped for the next. Absent everywhere is
    /// "absent" (exit 1); absent from every repository that answered while another failed is an error
    /// (exit 126): the failing one may hold the file, and ending recovery early would lose data.
    public static func runWithFallback(_ context: EngineContext, walName: String, destination: String) async throws -> ArchiveGetReport {
        let targets = context.targets
        if targets.count == 1 { return try await run(context.using(targets[0]), walName: walName, destination: destination) }
        var failures: [LifeboatError] = []
        for target in targets {
            do {
                var report = try await run(context.using(target), walName: walName, destination: destination)
                if report.found {
                    report.repository = target.label
                    return report
                }
            } catch {
                let failure = asLifeboatError(error)
                if failure.code == .invalidArgument { throw failure }
                context.logger.warning("\(target.label): \(failure.message); trying the next repository")
                failures.append(failure.naming(target))
            }
        }
        if let failure = failures.first {
            throw LifeboatError(
                failure.code, "'\(walName)' was not found in any reachable repository, and \(failure.message)",
                hint: "recovery stops rather than treat the file as absent: fix that repository, or restore with --repo N")
        }
        return ArchiveGetReport(wal: walName, found: false, size: 0, source: nil)
    }
}
