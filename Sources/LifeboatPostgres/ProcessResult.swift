/// How a program run by `ProcessRunner` ended, with everything it wrote.
public struct ProcessResult: Sendable {
    /// The exit status, or 128 + the signal number when a signal killed it (as a shell reports it).
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { exitCode == 0 }
}
