import LifeboatCore

extension StanzaInit {
    /// init with several repositories: creates the stanza in each (each encrypted one gets its own key
    /// file), stopping at the first failure; running it again completes a partial run.
    public static func runAll(_ context: EngineContext) async throws -> InitReport {
        let targets = context.targets
        var first: InitReport?
        for target in targets {
            let report: InitReport
            do {
                report = try await run(context.using(target))
            } catch {
                throw targets.count == 1 ? error : asLifeboatError(error).naming(target)
            }
            if var merged = first {
                merged.created = merged.created || report.created
                merged.repository += ", " + report.repository
                first = merged
            } else {
                first = report
            }
        }
        return first!
    }
}
