/// The fixed 24-byte header at the start of every PostgreSQL heap/index page (`PageHeaderData`,
/// src/include/storage/bufpage.h), read from raw bytes.
///
/// Fields are native-endian on disk (little-endian on every platform Lifeboat supports); the LSN is
/// stored as two 32-bit halves, `xlogid` (high) then `xrecoff` (low), each in native order.
public struct PageHeader: Hashable, Sendable {
    public static let size = 24
    /// `PD_VALID_FLAG_BITS`: pd_flags may hold PD_HAS_FREE_LINES, PD_PAGE_FULL, PD_ALL_VISIBLE only.
    public static let validFlagBits: UInt16 = 0x0007

    /// LSN of the last WAL record that changed the page.
    public let lsn: LSN
    public let checksum: UInt16
    public let flags: UInt16
    /// Offset to the start of free space.
    public let lower: UInt16
    /// Offset to the end of free space; 0 means the page was never initialised (`PageIsNew`).
    public let upper: UInt16
    /// Offset to the start of the special space.
    public let special: UInt16
    public let pageSizeVersion: UInt16

    public init(lsn: LSN, checksum: UInt16, flags: UInt16, lower: UInt16, upper: UInt16, special: UInt16, pageSizeVersion: UInt16) {
        self.lsn = lsn
        self.checksum = checksum
        self.flags = flags
        self.lower = lower
        self.upper = upper
        self.special = special
        self.pageSizeVersion = pageSizeVersion
    }

    /// Reads the header from the first 24 bytes of `page`.
    public init(page: UnsafeRawBufferPointer) {
        precondition(page.count >= Self.size, "a page header is \(Self.size) bytes")
        func u16(_ offset: Int) -> UInt16 { UInt16(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
        func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        self.lsn = LSN(rawValue: UInt64(u32(0)) << 32 | UInt64(u32(4)))
        self.checksum = u16(8)
        self.flags = u16(10)
        self.lower = u16(12)
        self.upper = u16(14)
        self.special = u16(16)
        self.pageSizeVersion = u16(18)
    }

    public init(page: [UInt8]) {
        self = page.withUnsafeBytes { PageHeader(page: $0) }
    }

    /// `PageIsNew`: the page was allocated but never initialised, so it carries no checksum.
    public var isNew: Bool { upper == 0 }

    /// The header sanity test of `PageIsVerified`: only known flag bits, and
    /// lower <= upper <= special <= 8192 with special MAXALIGNed (8 bytes).
    public var isSane: Bool {
        flags & ~Self.validFlagBits == 0
            && lower <= upper
            && upper <= special
            && Int(special) <= PageChecksum.pageSize
            && special % 8 == 0
    }
}
