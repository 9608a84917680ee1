/// PostgreSQL's data-page checksum (`pg_checksum_page`, src/include/storage/checksum_impl.h).
///
/// The page is read as 64 rows of 32 native-endian 32-bit words; each of 32 lanes runs an
/// FNV-1a-like mix (`x = (s ^ v) * prime ^ ((s ^ v) >> 17)`) over its column from its own base
/// offset, then two extra rounds of zeros, then the lanes are XOR-folded. The stored checksum
/// field (`pd_checksum`, bytes 8..9) counts as zero, the block number is XORed in (so a page copied
/// to the wrong place fails), and the result is folded into 1...65535 — zero never occurs, which is
/// how PostgreSQL tells "no checksum yet" apart.
///
/// Native endianness is the contract: PostgreSQL computes it on the words as they sit in memory, and
/// the pages on disk were written by a server of the same architecture.
public enum PageChecksum {
    public static let pageSize = 8192
    static let fnvPrime: UInt32 = 16_777_619

    /// The checksum PostgreSQL would store in `pd_checksum` for `page` (exactly 8192 bytes) at
    /// `blockNumber` — the block's number within the whole relation fork, i.e. across its 1 GiB
    /// segment files (see `RelationFile.blockNumber`).
    ///
    /// Defined for any bytes; PostgreSQL only ever sets it on pages that are not new (`pd_upper` 0).
    public static func compute(page: UnsafeRawBufferPointer, blockNumber: UInt32) -> UInt16 {
        precondition(page.count == pageSize, "a PostgreSQL page is \(pageSize) bytes, got \(page.count)")
        // Four 8-lane vectors hold the 32 lanes: each row of the page is four vector steps (the C code
        // relies on the compiler vectorising the same loop). Lane base offsets: checksumBaseOffsets.
        var a = SIMD8<UInt32>(0x5B1F_36E9, 0xB852_5960, 0x02AB_50AA, 0x1DE6_6D2A, 0x79FF_467A, 0x9BB9_F8A3, 0x217E_7CD2, 0x83E1_3D2C)
        var b = SIMD8<UInt32>(0xF8D4_474F, 0xE39E_B970, 0x42C6_AE16, 0x9932_16FA, 0x7B09_3B5D, 0x98DA_FF3C, 0xF718_902A, 0x0B1C_9CDB)
        var c = SIMD8<UInt32>(0xE58F_764B, 0x1876_36BC, 0x5D7B_3BB1, 0xE73D_E7DE, 0x92BE_C979, 0xCCA6_C0B2, 0x304A_0979, 0x85AA_43D4)
        var d = SIMD8<UInt32>(0x7831_25BB, 0x6CA8_EAA2, 0xE407_EAC6, 0x4B5C_FC3E, 0x9FBF_8C76, 0x15CA_20BE, 0xF2CA_9FD3, 0x959B_D756)
        // Word 2 holds pd_checksum (bytes 8..9) and pd_flags (10..11); the checksum bytes count as
        // zero whatever the byte order.
        var first = page.loadUnaligned(fromByteOffset: 0, as: SIMD8<UInt32>.self)
        var word = first[2]
        withUnsafeMutableBytes(of: &word) { bytes in
            bytes[0] = 0
            bytes[1] = 0
        }
        first[2] = word
        mix(&a, first)
        mix(&b, page.loadUnaligned(fromByteOffset: 32, as: SIMD8<UInt32>.self))
        mix(&c, page.loadUnaligned(fromByteOffset: 64, as: SIMD8<UInt32>.self))
        mix(&d, page.loadUnaligned(fromByteOffset: 96, as: SIMD8<UInt32>.self))
        var offset = 128
        while offset < pageSize {
            mix(&a, page.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt32>.self))
            mix(&b, page.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<UInt32>.self))
            mix(&c, page.loadUnaligned(fromByteOffset: offset + 64, as: SIMD8<UInt32>.self))
            mix(&d, page.loadUnaligned(fromByteOffset: offset + 96, as: SIMD8<UInt32>.self))
            offset += 128
        }
        for _ in 0..<2 {
            mix(&a, .zero)
            mix(&b, .zero)
            mix(&c, .zero)
            mix(&d, .zero)
        }
        let all = a ^ b ^ c ^ d
        var folded: UInt32 = 0
        for lane in 0..<8 { folded ^= all[lane] }
        folded ^= blockNumber
        return UInt16(folded % 65535 + 1)
    }

    /// Same, for a page held in an array (tests, small callers).
    public static func compute(page: [UInt8], blockNumber: UInt32) -> UInt16 {
        page.withUnsafeBytes { compute(page: $0, blockNumber: blockNumber) }
    }

    /// CHECKSUM_COMP on 8 lanes at once.
    @inline(__always)
    static func mix(_ sums: inout SIMD8<UInt32>, _ values: SIMD8<UInt32>) {
        let tmp = sums ^ values
        sums = (tmp &* SIMD8(repeating: fnvPrime)) ^ (tmp &>> SIMD8(repeating: 17))
    }
}
