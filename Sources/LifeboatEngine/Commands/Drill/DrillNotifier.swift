import Foundation
import LifeboatCore
import LifeboatPostgres
import Logging

/// Runs `notify-command` after a failed drill: the program (split into words without a shell,
/// see `CommandWords`) gets the drill's JSON on stdin. Its failure is logged, never fatal: the
/// drill's own outcome is what the exit code reports.
enum DrillNotifier {
    static func notify(command: String, json: [UInt8], logger: Logger) async {
        do {
            let words = try CommandWords.split(command)
            let program = try resolve(words[0])
            let result = try await ProcessRunner.run(program, Array(words.dropFirst()), stdin: String(decoding: json, as: UTF8.self))
            if result.succeeded {
                logger.info("notify-command '\(words[0])' ran")
            } else {
                let detail = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
                logger.error("notify-command '\(words[0])' failed (exit \(result.exitCode)): \(detail)")
            }
        } catch {
            logger.error("notify-command could not run: \(error)")
        }
    }

    /// An absolute or relative path as given, otherwise the first match in PATH.
    static func resolve(_ program: String) throws(LifeboatError) -> String {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw LifeboatError(.notFound, "notify-command program '\(program)' not found in PATH")
    }
}
