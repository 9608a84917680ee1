import Crypto
import Foundation
import LifeboatCore

/// The repository's unwrapped master key and what is derived from it. Lives only in memory.
public struct CipherKeys: Sendable {
    let master: SymmetricKey
    /// Keys the HMAC that replaces content hashes in object names.
    private let nameKey: SymmetricKey

    /// A fresh random master key (tests; `CipherKeyFile.create` for repositories).
    public static func random() -> CipherKeys { CipherKeys(master: SymmetricKey(size: .bits256)) }

    init(master: SymmetricKey) {
        self.master = master
        nameKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master, salt: [UInt8](), info: Array("lifeboat archive names v1".utf8), outputByteCount: 32)
    }

    /// The key of one stored object: bound to its random salt and to its path.
    func objectKey(salt: UnsafeRawBufferPointer, path: String) -> SymmetricKey {
        var info = Array("lifeboat object v1".utf8)
        info.append(0)
        info.append(contentsOf: path.utf8)
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: master, salt: salt, info: info, outputByteCount: 32)
    }

    /// What an encrypted repository writes in object names instead of a content hash (WAL objects are named
    /// `<wal>-<sha256>` in plain repositories): HMAC-SHA256 of the hex hash under a key only the passphrase
    /// holder has, so names still tell equal content from different content without revealing the hash.
    public func nameTag(forSHA256 hex: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(hex.utf8), using: nameKey)
        return mac.map { byte in
            let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
            return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0f)])
        }.joined()
    }
}
