/// What a page read from a relation file looks like to PostgreSQL (`PageIsVerified`,
/// src/backend/storage/page/bufpage.c).
public enum PageVerdict: Hashable, Sendable {
    /// Header sane and, when the cluster has data checksums, the checksum matches.
    case valid
    /// All zeros: a page the relation was extended with but that was never written. Valid.
    case allZero
    /// Header fields out of range (or a non-zero page whose pd_upper is 0).
    case invalidHeader
    /// Header sane but pd_checksum differs from the computed checksum.
    case checksumMismatch(stored: UInt16, computed: UInt16)

    public var isValid: Bool {
        switch self {
        case .valid, .allZero: return true
        case .invalidHeader, .checksumMismatch: return false
        }
    }
}

public enum PageVerification {
    /// Classifies one 8192-byte page at `blockNumber` the way the server would when reading it in.
    /// `checksumsEnabled` is the cluster's `data_checksums` setting.
    public static func verify(page: UnsafeRawBufferPointer, blockNumber: UInt32, checksumsEnabled: Bool) -> PageVerdict {
        precondition(page.count == PageChecksum.pageSize, "a PostgreSQL page is \(PageChecksum.pageSize) bytes")
        let header = PageHeader(page: page)
        if !header.isNew {
            if checksumsEnabled {
                let computed = PageChecksum.compute(page: page, blockNumber: blockNumber)
                if computed != header.checksum {
                    return header.isSane ? .checksumMismatch(stored: header.checksum, computed: computed) : .invalidHeader
                }
            }
            if header.isSane { return .valid }
        }
        return isAllZero(page) ? .allZero : .invalidHeader
    }

    public static func verify(page: [UInt8], blockNumber: UInt32, checksumsEnabled: Bool) -> PageVerdict {
        page.withUnsafeBytes { verify(page: $0, blockNumber: blockNumber, checksumsEnabled: checksumsEnabled) }
    }

    public static func isAllZero(_ page: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= page.count {
            if page.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return false }
            index += 8
        }
        while index < page.count {
            if page[index] != 0 { return false }
            index += 1
        }
        return true
    }
}
