import LifeboatCore

extension EncryptedStorage {
    /// Rewraps the master key under `newPassphrase` (new salt) and replaces the key file in one atomic,
    /// durable write; no data object is touched. The driver publishes the new key file only once it is
    /// complete and synced (temp + fsync + rename + fsync directory; an S3 PUT is atomic), so a crash at
    /// any point leaves either the old key file (the old passphrase works) or the new one (the new works).
    /// Returns after reading the new key file back and opening it with the new passphrase.
    public func rotate(to newPassphrase: CipherPassphrase) async throws(LifeboatError) {
        guard !newPassphrase.isEmpty else {
            throw LifeboatError(.invalidArgument, "the new passphrase is empty")
        }
        let keys = try await unlock()
        let rotated = try CipherKeyFile.rewrap(keys, passphrase: newPassphrase)
        try await base.write(keyFilePath, contents: try rotated.encoded(), options: WriteOptions(durable: true))
        let check = try CipherKeyFile.decode(try await base.readAll(keyFilePath), path: keyFilePath)
        let reopened = try check.unwrap(passphrase: newPassphrase, path: keyFilePath)
        guard reopened.nameTag(forSHA256: "check") == keys.nameTag(forSHA256: "check") else {
            throw LifeboatError(.internal, "the rewrapped key file '\(keyFilePath)' does not hold the same master key")
        }
    }
}
