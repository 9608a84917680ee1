#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore

/// Reads which cluster a WAL file or data directory belongs to, without a server connection —
/// archive-push runs once per segment and must stay lean.
enum WALIdentity {
    /// XLogLongPageHeaderData: xlp_magic u16, xlp_info u16, xlp_tli u32, xlp_pageaddr u64,
    /// xlp_rem_len u32 (+4 padding), xlp_sysid u64 at 24, xlp_seg_size u32 at 32.
    static let longHeaderFlag: UInt16 = 0x0002

    /// The system identifier in the first page of a WAL segment, or nil when the page is not a long header.
    static func systemIdentifier(walHeader bytes: [UInt8]) -> String? {
        guard bytes.count >= 40 else { return nil }
        let info = UInt16(bytes[2]) | UInt16(bytes[3]) << 8
        guard info & longHeaderFlag != 0 else { return nil }
        return String(littleEndian64(bytes, at: 24))
    }

    /// pg_control starts with the system identifier (ControlFileData.system_identifier).
    static func systemIdentifier(pgControl bytes: [UInt8]) -> String? {
        guard bytes.count >= 8 else { return nil }
        return String(littleEndian64(bytes, at: 0))
    }

    static func systemIdentifier(dataDirectory: String) -> String? {
        guard let bytes = try? LocalFS.readFile(dataDirectory + "/global/pg_control", limit: 8192) else { return nil }
        return systemIdentifier(pgControl: bytes)
    }

    private static func littleEndian64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}
