import Foundation
import LifeboatStorage

/// Clears what killed writers left in the repository (temporary files on POSIX, unfinished multipart
/// uploads on S3, which are billed until aborted). Housekeeping, so it never fails the command that
/// runs it: a server without the listing call, or a removal refused, is a warning.
enum AbandonedWrites {
    /// No archive-push of one WAL file takes an hour: older half-writes under the archive are dead.
    static let archiveGraceSeconds: Double = 3600

    static func remove(under directory: String, olderThan cutoff: Date, context: EngineContext) async {
        do {
            let removed = try await context.storage.removeAbandonedWrites(under: directory, olderThan: cutoff)
            if removed > 0 {
                context.logger.info("removed \(removed) unfinished write\(removed == 1 ? "" : "s") that interrupted processes left under '\(directory)'")
            }
        } catch {
            context.logger.warning("could not clear unfinished writes under '\(directory)': \(error)")
        }
    }
}
