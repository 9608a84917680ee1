import Foundation
import LifeboatCore

/// `scripts/s3-fault-proxy.py` between a client and Ceph RGW: answers some UploadParts with 503
/// SlowDown, resets some PUTs mid-body, and drops the reply of some PUTs / completions after the
/// server stored them. Counting is deterministic ("every Nth"), and `stats()` shows what happened.
public final class S3FaultProxy: Sendable {
    public struct Faults: Sendable {
        public var slowdownEveryNthPart = 0
        public var resetEveryNthPut = 0
        public var dropReplyOfEveryNthStore = 0

        public init(slowdownEveryNthPart: Int = 0, resetEveryNthPut: Int = 0, dropReplyOfEveryNthStore: Int = 0) {
            self.slowdownEveryNthPart = slowdownEveryNthPart
            self.resetEveryNthPut = resetEveryNthPut
            self.dropReplyOfEveryNthStore = dropReplyOfEveryNthStore
        }
    }

    public let endpoint: String
    private let pid: Int32
    private let statsFile: String

    public init(upstream: String, faults: Faults) throws {
        let directory = NSTemporaryDirectory() + "lifeboat-proxy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        statsFile = directory + "/stats.json"
        let upstreamHost = upstream.replacingOccurrences(of: "http://", with: "")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/s3-fault-proxy.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "--upstream", upstreamHost, "--port-file", portFile, "--stats-file", statsFile,
            "--slowdown-parts", String(faults.slowdownEveryNthPart), "--reset-puts", String(faults.resetEveryNthPut),
            "--drop-after-store", String(faults.dropReplyOfEveryNthStore), "--owner-pid", String(getpid()),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        pid = process.processIdentifier
        var port: String?
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty { port = text; break }
            usleep(50_000)
        }
        guard let port else {
            kill(pid, SIGKILL)
            throw LifeboatError(.internal, "the S3 fault proxy did not start")
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// Counters: requests, parts, puts, stores, and the faults injected (slowdown, reset, dropped).
    public func stats() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: statsFile),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }

    public func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    deinit { kill(pid, SIGKILL) }
}
