import Foundation
import LifeboatCore
import LifeboatPostgres
import Logging

/// Runs `notify-command` after a failed drill, as `/bin/sh -c <command>` (the way PostgreSQL runs
/// archive_command), so redirections and pipes work: `cat > /var/spool/lifeboat/drill.json`. The
/// program gets the drill's JSON on stdin. Its failure is logged, never fatal: the drill's own
/// outcome is what the exit code reports.
enum DrillNotifier {
    static func notify(command: String, json: [UInt8], logger: Logger) async {
        do {
            let result = try await ProcessRunner.run("/bin/sh", ["-c", command], stdin: String(decoding: json, as: UTF8.self))
            if result.succeeded {
                logger.info("notify-command '\(command)' ran")
            } else {
                let detail = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
                logger.error("notify-command '\(command)' failed (exit \(result.exitCode)): \(detail)")
            }
        } catch {
            logger.error("notify-command could not run: \(error)")
        }
    }
}
