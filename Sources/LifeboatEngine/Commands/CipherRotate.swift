import LifeboatCore
import LifeboatStorage

public struct CipherRotateReport: Codable, Sendable {
    public var stanza: String
    public var repository: String
    public var keyFile: String
}

/// `lifeboat cipher-rotate`: the stanza's master key under a new passphrase; no data is rewritten.
public enum CipherRotate {
    public static func run(_ context: EngineContext, newPassphrase: CipherPassphrase) async throws -> CipherRotateReport {
        guard let encrypted = context.storage as? EncryptedStorage else {
            throw LifeboatError(.cipher, "repository '\(context.storage.displayName)' is not configured as encrypted: nothing to rotate",
                                hint: "set repo-cipher-type = aes-256-gcm and the current passphrase")
        }
        try await context.requireRepository()
        _ = try await context.repository.loadStanza()
        try await encrypted.rotate(to: newPassphrase)
        context.logger.info("stanza '\(context.stanza)': the master key is now wrapped under the new passphrase; the old one no longer opens it")
        return CipherRotateReport(stanza: context.stanza, repository: encrypted.displayName, keyFile: encrypted.keyFilePath)
    }
}
