import Foundation
import LifeboatTestSupport
import Testing

/// The benchmark harness (bench/run.sh) in its quick mode: every tool — Lifeboat, pgBackRest and
/// pg_basebackup — backs up a small cluster, restores it, and the restored directory starts with all
/// of its rows. Asserts restorability, not speed.
@Suite("benchmark harness")
struct BenchmarkSmokeTests {
    static let pgbackrestInstalled = ["/usr/bin/pgbackrest", "/usr/local/bin/pgbackrest"].contains {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(
        "bench/run.sh --quick: each tool's backup restores into a cluster that starts with every row",
        .enabled(if: pgbackrestInstalled, "pgBackRest is not installed (apt-get install pgbackrest)"),
        .timeLimit(.minutes(20)))   // a hang guard only: on a loaded CI machine the quick run has taken 5+ minutes
    func quickBenchmark() async throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = try LifeboatExecutable.builtPath()
        let output = try TemporaryFile(prefix: "bench-stdout")
        let errors = try TemporaryFile(prefix: "bench-stderr")
        defer {
            output.remove()
            errors.remove()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["bench/run.sh", "--quick", "--lifeboat", binary]
        process.currentDirectoryURL = root
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output.handle
        process.standardError = errors.handle
        // Wait without blocking a cooperative thread: the run takes a minute or two.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }

        let report = output.contents()
        let log = errors.contents()
        #expect(status == 0, "bench/run.sh --quick exited \(status)\n\(report)\n\(String(log.suffix(6000)))")
        for tool in ["Lifeboat", "pgBackRest", "pg_basebackup"] {
            #expect(report.contains("| \(tool)"), "the report has no row for \(tool):\n\(report)")
            #expect(log.contains("\(tool) restore verified"), "\(tool)'s restore was not verified:\n\(log)")
        }
        #expect(!report.contains("## Problems"), "\(report)")
    }
}

/// A file in /tmp receiving a child's output (a pipe could fill up and stall the child).
private struct TemporaryFile {
    let path: String
    let handle: FileHandle

    init(prefix: String) throws {
        path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func contents() -> String {
        try? handle.synchronize()
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
