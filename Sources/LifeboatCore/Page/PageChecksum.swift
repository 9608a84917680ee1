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

    static let lanes = 32
    static let fnvPrime: UInt32 = 16_777_619
    static let baseOffsets: [UInt32] = [
        0x5B1F_36E9, 0xB852_5960, 0x02AB_50AA, 0x1DE6_6D2A, 0x79FF_467A, 0x9BB9_F8A3, 0x217E_7CD2, 0x83E1_3D2C,
        0xF8D4_474F, 0xE39E_B970, 0x42C6_AE16, 0x9932_16FA, 0x7B09_3B5D, 0x98DA_FF3C, 0xF718_902A, 0x0B1C_9CDB,
        0xE58F_764B, 0x1876_36BC, 0x5D7B_3BB1, 0xE73D_E7DE, 0x92BE_C979, 0xCCA6_C0B2, 0x304A_0979, 0x85AA_43D4,
        0x7831_25BB, 0x6CA8_EAA2, 0xE407_EAC6, 0x4B5C_FC3E, 0x9FBF_8C76, 0x15CA_20BE, 0xF2CA_9FD3, 0x959B_D756,
    ]

    /// The checksum PostgreSQL would store in `pd_checksum` for `page` (exactly 8192 bytes) at
    /// `blockNumber` — the block's number within the whole relation fork, i.e. across its 1 GiB
    /// segment files (see `RelationFile.blockNumber`).
    ///
    /// Defined for any bytes; PostgreSQL only ever sets it on pages that are not new (`pd_upper` 0).
    public static func compute(page: UnsafeRawBufferPointer, blockNumber: UInt32) -> UInt16 {
        precondition(page.count == pageSize, "a PostgreSQL page is \(pageSize) bytes, got \(page.count)")
        var sums = baseOffsets
        sums.withUnsafeMutableBufferPointer { sums in
            let rows = pageSize / (4 * lanes)
            for row in 0..<rows {
                for lane in 0..<lanes {
                    let offset = (row * lanes + lane) * 4
                    var value = page.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                    if offset == 8 {
                        // This word holds pd_checksum (bytes 8..9) and pd_flags (10..11); the
                        // checksum bytes count as zero whatever the byte order.
                        withUnsafeMutableBytes(of: &value) { word in
                            word[0] = 0
                            word[1] = 0
                        }
                    }
                    mix(&sums[lane], value)
                }
            }
            for _ in 0..<2 {
                for lane in 0..<lanes { mix(&sums[lane], 0) }
            }
        }
        var folded: UInt32 = 0
        for sum in sums { folded ^= sum }
        folded ^= blockNumber
        return UInt16(folded % 65535 + 1)
    }

    /// Same, for a page held in an array (tests, small callers).
    public static func compute(page: [UInt8], blockNumber: UInt32) -> UInt16 {
        page.withUnsafeBytes { compute(page: $0, blockNumber: blockNumber) }
    }

    @inline(__always)
    static func mix(_ sum: inout UInt32, _ value: UInt32) {
        let tmp = sum ^ value
        sum = (tmp &* fnvPrime) ^ (tmp >> 17)
    }
}
