/// ASCII hexadecimal helpers shared by the WAL-name, LSN and checksum code.
///
/// Everything works on UTF-8 bytes rather than `Character`s: grapheme clustering would let a
/// combining mark glue itself onto an ASCII digit or separator and change what a name means.
enum Hex {
    /// The value of one ASCII hex digit; `upperOnly` rejects `a`-`f` (PostgreSQL writes WAL names in upper case).
    static func digit(_ byte: UInt8, upperOnly: Bool) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return upperOnly ? nil : byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Parses 1...16 hex digits (no sign, no prefix, no spaces — unlike `UInt64(_:radix:)`, which accepts "+1").
    static func parse<Bytes: Collection>(_ bytes: Bytes, upperOnly: Bool) -> UInt64? where Bytes.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard let d = digit(byte, upperOnly: upperOnly) else { return nil }
            value = value << 4 | UInt64(d)
        }
        return value
    }

    /// Upper-case hex, left-padded with zeros to `width` digits (like C's `%0*X`).
    static func upper(_ value: UInt64, width: Int = 0) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        guard digits.utf8.count < width else { return digits }
        return String(repeating: "0", count: width - digits.utf8.count) + digits
    }

    /// Lower-case hex of a byte string (checksums).
    static func lower(_ bytes: [UInt8]) -> String {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
