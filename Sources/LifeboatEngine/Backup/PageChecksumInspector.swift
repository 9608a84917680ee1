#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore

/// What a backup does about data checksums (`SHOW data_checksums`).
struct PageChecksumPolicy: Sendable {
    /// The cluster has data checksums: verify every page of every relation file copied.
    let enabled: Bool
    /// The backup's start LSN: a page at or above it may be torn by a write in progress and is
    /// rewritten by WAL replay (a full-page image follows the checkpoint), so it is not judged.
    let startLSN: LSN
    /// `--checksum-page-fail`: a bad page fails the backup instead of being reported.
    let failBackup: Bool
}

/// Checks each page of one relation file as the backup reads it, the way pg_basebackup does: new
/// (all-zero) pages and pages newer than the backup start are skipped; a page that fails is read
/// again (the first read may have raced a write and seen half of each version) and is reported only
/// if it still fails. The re-read bytes replace the first read, so the backup stores the better copy.
final class PageChecksumInspector {
    private let fd: Int32
    private let path: String
    private let relation: RelationFile
    private let startLSN: LSN
    /// Blocks of this file (page index within the file, offset = block × 8192) that failed twice.
    private(set) var badBlocks: [UInt32] = []

    init(fd: Int32, path: String, relation: RelationFile, startLSN: LSN) {
        self.fd = fd
        self.path = path
        self.relation = relation
        self.startLSN = startLSN
    }

    func inspect(block: UInt32, page: UnsafeMutableRawBufferPointer) {
        if acceptable(UnsafeRawBufferPointer(page), block: block) { return }
        let again = UnsafeMutableRawBufferPointer.allocate(byteCount: PageObject.pageSize, alignment: 16)
        defer { again.deallocate() }
        var count = 0
        repeat {
            count = pread(fd, again.baseAddress, PageObject.pageSize, off_t(block) * off_t(PageObject.pageSize))
        } while count < 0 && errno == EINTR
        if count == PageObject.pageSize {
            page.copyMemory(from: UnsafeRawBufferPointer(again))
            if acceptable(UnsafeRawBufferPointer(page), block: block) { return }
        }
        badBlocks.append(block)
    }

    private func acceptable(_ page: UnsafeRawBufferPointer, block: UInt32) -> Bool {
        if PageVerification.verify(page: page, blockNumber: relation.blockNumber(pageIndex: block), checksumsEnabled: true).isValid { return true }
        // Only a sane header's LSN means anything: garbage there must not excuse the page.
        let header = PageHeader(page: page)
        return header.isSane && header.lsn >= startLSN
    }
}
