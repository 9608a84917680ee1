/// A repository passphrase. Its description is redacted so that it cannot reach a log line or an
/// error message by accident (string interpolation of the value prints "<redacted>").
public struct CipherPassphrase: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    package let bytes: [UInt8]

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
