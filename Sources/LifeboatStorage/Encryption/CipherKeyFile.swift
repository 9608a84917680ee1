import Crypto
import _CryptoExtras
import Foundation
import LifeboatCore

/// `<stanza>/cipher.json`, the only object of an encrypted stanza stored in clear: the random 256-bit
/// master key, wrapped (AES-256-GCM) under a key derived from the passphrase with a slow KDF.
/// Changing the passphrase rewrites this file only; the data stays encrypted under the same master key.
///
///     {"formatVersion":1,"cipherType":"aes-256-gcm",
///      "kdf":{"name":"scrypt","n":32768,"r":8,"p":1,"salt":"<base64, 32 bytes>"},
///      "wrappedKey":"<base64: 12-byte nonce + 32-byte ciphertext + 16-byte tag>","created":"…"}
public struct CipherKeyFile: Codable, Sendable, Equatable {
    public struct KDFParameters: Codable, Sendable, Equatable {
        /// "scrypt" (what Lifeboat writes) or "pbkdf2-sha256" (read for completeness).
        var name: String
        var n: Int?
        var r: Int?
        var p: Int?
        var rounds: Int?
        var salt: String

        /// scrypt N=2^14, r=8, p=1 (16 MiB; the scrypt paper's interactive setting): paid once per process, and
        /// archive-push runs once per WAL segment — N=2^15 measured 0.4–0.66 s per derivation here, which caps
        /// archiving near 25–40 MB/s of WAL; 2^14 halves that. The parameters live in the key file, so files
        /// written with other costs keep working and `cipher-rotate` rewrites them with these.
        static func scryptDefault(salt: [UInt8]) -> KDFParameters {
            KDFParameters(name: "scrypt", n: 1 << 14, r: 8, p: 1, rounds: nil, salt: Data(salt).base64EncodedString())
        }
    }

    public static let currentFormatVersion = 1
    public static let cipherType = "aes-256-gcm"
    static let wrapContext = Array("lifeboat master key v1".utf8)

    var formatVersion: Int
    var cipherType: String
    var kdf: KDFParameters
    var wrappedKey: String
    var created: Date

    /// A new key file holding a fresh random master key.
    static func create(passphrase: CipherPassphrase) throws(LifeboatError) -> (CipherKeyFile, CipherKeys) {
        let master = SymmetricKey(size: .bits256)
        let file = try wrap(master, passphrase: passphrase, created: Date())
        return (file, CipherKeys(master: master))
    }

    /// The same master key under a new passphrase (and a new salt).
    static func rewrap(_ keys: CipherKeys, passphrase: CipherPassphrase) throws(LifeboatError) -> CipherKeyFile {
        try wrap(keys.master, passphrase: passphrase, created: Date())
    }

    private static func wrap(_ master: SymmetricKey, passphrase: CipherPassphrase, created: Date) throws(LifeboatError) -> CipherKeyFile {
        var salt = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let kdf = KDFParameters.scryptDefault(salt: salt)
        let wrapping = try deriveWrappingKey(passphrase, kdf)
        do {
            let sealed = try master.withUnsafeBytes { raw in
                try AES.GCM.seal(Array(raw), using: wrapping, authenticating: wrapContext)
            }
            guard let combined = sealed.combined else { throw LifeboatError(.internal, "AES-GCM produced no combined box") }
            return CipherKeyFile(
                formatVersion: currentFormatVersion, cipherType: cipherType, kdf: kdf,
                wrappedKey: combined.base64EncodedString(), created: created)
        } catch {
            throw LifeboatError(.internal, "cannot wrap the master key: \(error)")
        }
    }

    /// The master key; `.cipher` for a wrong passphrase.
    func unwrap(passphrase: CipherPassphrase, path: String) throws(LifeboatError) -> CipherKeys {
        guard formatVersion == Self.currentFormatVersion, cipherType == Self.cipherType else {
            throw LifeboatError(.cipher, "key file '\(path)' has format \(formatVersion) / cipher '\(cipherType)', which this version of Lifeboat cannot read",
                                hint: "use the Lifeboat version that created this repository")
        }
        let wrapping = try Self.deriveWrappingKey(passphrase, kdf, path: path)
        guard let combined = Data(base64Encoded: wrappedKey), combined.count == 12 + 32 + 16 else {
            throw LifeboatError(.corrupt, "key file '\(path)' is malformed: wrappedKey is not a wrapped 256-bit key")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let master = try AES.GCM.open(box, using: wrapping, authenticating: Self.wrapContext)
            return CipherKeys(master: SymmetricKey(data: master))
        } catch {
            throw LifeboatError(.cipher, "wrong passphrase for the encrypted repository (key file '\(path)')",
                                hint: "check repo-cipher-pass (LIFEBOAT_REPO_CIPHER_PASS, the config file or repo-cipher-pass-file); after `lifeboat cipher-rotate` only the new passphrase works")
        }
    }

    private static func deriveWrappingKey(_ passphrase: CipherPassphrase, _ kdf: KDFParameters, path: String = "cipher.json") throws(LifeboatError) -> SymmetricKey {
        guard let salt = Data(base64Encoded: kdf.salt), salt.count >= 16 else {
            throw LifeboatError(.corrupt, "key file '\(path)' is malformed: bad KDF salt")
        }
        do {
            switch kdf.name {
            case "scrypt":
                guard let n = kdf.n, let r = kdf.r, let p = kdf.p, n >= 1 << 14, n <= 1 << 22, n & (n - 1) == 0,
                      (1...32).contains(r), (1...16).contains(p) else {
                    throw LifeboatError(.corrupt, "key file '\(path)' is malformed: scrypt parameters out of range")
                }
                return try KDF.Scrypt.deriveKey(
                    from: passphrase.bytes, salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p,
                    maxMemory: 128 * n * r * p + (1 << 20))
            case "pbkdf2-sha256":
                guard let rounds = kdf.rounds, rounds >= 210_000, rounds <= 100_000_000 else {
                    throw LifeboatError(.corrupt, "key file '\(path)' is malformed: PBKDF2 rounds out of range")
                }
                return try KDF.Insecure.PBKDF2.deriveKey(
                    from: passphrase.bytes, salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
            default:
                throw LifeboatError(.cipher, "key file '\(path)' uses KDF '\(kdf.name)', which this version of Lifeboat cannot read")
            }
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.internal, "key derivation failed: \(error)")
        }
    }

    func encoded() throws(LifeboatError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do { return Array(try encoder.encode(self)) } catch { throw LifeboatError(.internal, "cannot encode the key file: \(error)") }
    }

    static func decode(_ bytes: [UInt8], path: String) throws(LifeboatError) -> CipherKeyFile {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(CipherKeyFile.self, from: Data(bytes))
        } catch {
            throw LifeboatError(.corrupt, "key file '\(path)' cannot be read: \(error)")
        }
    }
}
