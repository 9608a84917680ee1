/// The stored form of a relation file kept page by page (before compression):
///
///     "LBPAGES1"                         8-byte magic
///     { block: UInt32 LE, page: 8192 }…  the pages that changed, in block order
///
/// Block numbers are absolute positions in the rebuilt file (offset = block × 8192). The object is
/// compressed as one stream like any other stored file, so its `storedSha256`/`storedSize` mean
/// the same thing as for whole files.
public enum PageObject {
    public static let pageSize = 8192
    public static let magic: [UInt8] = Array("LBPAGES1".utf8)
    public static let recordSize = 4 + pageSize

    /// The 4-byte record header of `block`.
    public static func recordHeader(_ block: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: block), UInt8(truncatingIfNeeded: block >> 8),
         UInt8(truncatingIfNeeded: block >> 16), UInt8(truncatingIfNeeded: block >> 24)]
    }
}

/// Splits a decompressed `PageObject` stream, fed in arbitrary pieces, into (block, page) records.
public struct PageObjectParser {
    private var magicSeen = 0
    private var record: [UInt8] = []
    private var lastBlock: Int64 = -1
    private let describe: String

    /// `describe` names the object in error messages.
    public init(describe: String) {
        self.describe = describe
        record.reserveCapacity(PageObject.recordSize)
    }

    /// Consumes `bytes`, calling `page` for every complete record (its buffer is valid only during the call).
    /// Throws `LifeboatError` (.corrupt) for a malformed stream, or whatever `page` throws.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, page: (UInt32, UnsafeRawBufferPointer) throws -> Void) throws {
        var index = 0
        while index < bytes.count && magicSeen < PageObject.magic.count {
            guard bytes[index] == PageObject.magic[magicSeen] else { throw corrupt("it does not start with the page object magic") }
            magicSeen += 1
            index += 1
        }
        while index < bytes.count {
            let take = min(PageObject.recordSize - record.count, bytes.count - index)
            record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
            index += take
            if record.count == PageObject.recordSize {
                let block = UInt32(record[0]) | UInt32(record[1]) << 8 | UInt32(record[2]) << 16 | UInt32(record[3]) << 24
                guard Int64(block) > lastBlock else { throw corrupt("block \(block) is out of order") }
                lastBlock = Int64(block)
                let current = record
                try current.withUnsafeBytes { raw in
                    try page(block, UnsafeRawBufferPointer(rebasing: raw[4...]))
                }
                record.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Throws when the stream ended inside the magic or a record.
    public func finish() throws(LifeboatError) {
        guard magicSeen == PageObject.magic.count else { throw corrupt("it is shorter than its header") }
        guard record.isEmpty else { throw corrupt("it ends inside a page record") }
    }

    private func corrupt(_ why: String) -> LifeboatError {
        LifeboatError(.corrupt, "stored page object '\(describe)' is corrupt: \(why)",
                      hint: "this repository copy is damaged; use another backup (--set) and run `lifeboat verify`")
    }
}

/// One 64-bit hash per 8 KiB page of a relation file (the first 8 bytes of the page's SHA-256,
/// little-endian), stored next to the data object as `<object>.pagemap`.
///
/// Why page hashes rather than page LSNs decide what a diff/incr stores: a page whose only change is
/// hint bits keeps its old LSN (with data checksums off and wal_log_hints off nothing is WAL-logged
/// for it). Taking such a page from the older backup would be safe for PostgreSQL — hint bits are
/// re-derivable and WAL replay from the new backup's start fixes every page that was really
/// modified — but the rebuilt file would then differ from the file the backup read, and Lifeboat
/// records (and restore proves) the SHA-256 of every file. Comparing page hashes stores exactly the
/// pages that differ, so the rebuilt file is byte-for-byte the file read, independent of timelines,
/// checksums settings or trust in LSNs. Cost: 8 bytes per page (1/1024 of the data) per backup.
public struct PageMap: Sendable, Equatable {
    public var hashes: [UInt64]

    public init(hashes: [UInt64]) {
        self.hashes = hashes
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hashes.count * 8)
        for hash in hashes {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: hash >> UInt64(shift))) }
        }
        return bytes
    }

    public init(decoding bytes: [UInt8], describe: String) throws(LifeboatError) {
        guard bytes.count % 8 == 0 else {
            throw LifeboatError(.corrupt, "page map '\(describe)' is corrupt: \(bytes.count) bytes is not a whole number of entries")
        }
        var hashes: [UInt64] = []
        hashes.reserveCapacity(bytes.count / 8)
        var index = 0
        while index < bytes.count {
            var value: UInt64 = 0
            for offset in 0..<8 { value |= UInt64(bytes[index + offset]) << UInt64(offset * 8) }
            hashes.append(value)
            index += 8
        }
        self.hashes = hashes
    }

    static let deltaMagic: [UInt8] = Array("LBMD".utf8)

    /// The map of a file stored as changed pages, relative to `prior` (the map of the layer below):
    /// "LBMD", page count (UInt32 LE), then (block UInt32 LE, hash UInt64 LE) for every entry that
    /// differs from `prior` or lies beyond it. A few bytes per changed page instead of 8 per page.
    public func encodedDelta(against prior: PageMap) -> [UInt8] {
        var bytes = Self.deltaMagic
        func append(_ value: UInt64, _ width: Int) {
            for shift in stride(from: 0, to: width * 8, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        append(UInt64(hashes.count), 4)
        for (block, hash) in hashes.enumerated() where prior.changed(block: block, hash: hash) {
            append(UInt64(block), 4)
            append(hash, 8)
        }
        return bytes
    }

    /// This map with a delta written by `encodedDelta(against: self)` applied.
    public func applying(delta bytes: [UInt8], describe: String) throws(LifeboatError) -> PageMap {
        func corrupt(_ why: String) -> LifeboatError {
            LifeboatError(.corrupt, "page map '\(describe)' is corrupt: \(why)")
        }
        guard bytes.count >= 8, Array(bytes.prefix(4)) == Self.deltaMagic, (bytes.count - 8) % 12 == 0 else {
            throw corrupt("not a page map delta")
        }
        func read(_ offset: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<width { value |= UInt64(bytes[offset + index]) << UInt64(index * 8) }
            return value
        }
        let count = Int(read(4, 4))
        var result = Array(hashes.prefix(count))
        var missing = Set(result.count..<count)
        result += [UInt64](repeating: 0, count: count - result.count)
        var offset = 8
        while offset < bytes.count {
            let block = Int(read(offset, 4))
            guard block < count else { throw corrupt("entry for block \(block) beyond its \(count) pages") }
            result[block] = read(offset + 4, 8)
            missing.remove(block)
            offset += 12
        }
        guard missing.isEmpty else { throw corrupt("no entry for new block \(missing.min()!)") }
        return PageMap(hashes: result)
    }

    /// True when `block` must be stored: it lies beyond the reference's length or its hash differs.
    public func changed(block: Int, hash: UInt64) -> Bool {
        block >= hashes.count || hashes[block] != hash
    }
}

/// Which files a backup keeps page by page.
public enum PageGranularity {
    /// Smaller relation files are stored whole when they change: a page map would not pay for itself.
    public static let minimumPages = 16

    /// "base/<db>/<node>[_fork][.seg]", "global/<node>…", "pg_tblspc/<oid>/<version>/<db>/<node>…"
    /// whose size is a whole number of pages and at least `minimumPages`.
    public static func qualifies(path: String, size: UInt64) -> Bool {
        guard size % UInt64(PageObject.pageSize) == 0, size >= UInt64(minimumPages * PageObject.pageSize) else { return false }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.first {
        case "base" where parts.count == 3: name = parts[2]
        case "global" where parts.count == 2: name = parts[1]
        case "pg_tblspc" where parts.count == 5: name = parts[4]
        default: return false
        }
        return isRelationName(name)
    }

    /// "16384", "16384.1", "16384_fsm", "16384_vm.2", "16384_init".
    static func isRelationName(_ name: Substring) -> Bool {
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return false }
        var rest = name.dropFirst(digits.count)
        for fork in ["_fsm", "_vm", "_init"] where rest.hasPrefix(fork) {
            rest = rest.dropFirst(fork.count)
            break
        }
        if rest.isEmpty { return true }
        guard rest.first == ".", rest.count > 1 else { return false }
        return rest.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }
}
