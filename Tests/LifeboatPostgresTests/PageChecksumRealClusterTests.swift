import Foundation
import LifeboatCore
import LifeboatTestSupport
import Testing

/// PageChecksum against every page of a real cluster initialised with --data-checksums: after a
/// checkpoint and a clean stop, every page PostgreSQL wrote carries the checksum it computed.
@Suite struct PageChecksumRealClusterTests {
    @Test func matchesEveryPageOfACleanlyStoppedCluster() async throws {
        try await TestCluster.with { cluster in
            try await cluster.query("create table filler(id int primary key, payload text)")
            try await cluster.query("insert into filler select g, repeat('x', g % 300) from generate_series(1, 20000) g")
            try await cluster.query("checkpoint")
            try await cluster.stop()

            var checkedPages = 0
            var checkedFiles = 0
            var flippedDetected = 0
            let data = cluster.dataDirectory
            let enumerator = try #require(FileManager.default.enumerator(atPath: data))
            while let path = enumerator.nextObject() as? String {
                guard let relation = RelationFile(path: path) else { continue }
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: data + "/" + path)))
                #expect(bytes.count % PageChecksum.pageSize == 0, "\(path) is not whole pages")
                checkedFiles += 1
                for pageIndex in 0..<(bytes.count / PageChecksum.pageSize) {
                    var page = Array(bytes[pageIndex * PageChecksum.pageSize..<(pageIndex + 1) * PageChecksum.pageSize])
                    let header = PageHeader(page: page)
                    guard !header.isNew else { continue }
                    let block = relation.blockNumber(pageIndex: UInt32(pageIndex))
                    #expect(
                        PageChecksum.compute(page: page, blockNumber: block) == header.checksum,
                        "\(path) block \(block)")
                    #expect(PageVerification.verify(page: page, blockNumber: block, checksumsEnabled: true) == .valid)
                    checkedPages += 1
                    // A flipped bit in the tuple area changes it.
                    page[PageChecksum.pageSize - 1 - pageIndex % 100] ^= 0x10
                    if PageChecksum.compute(page: page, blockNumber: block) != header.checksum { flippedDetected += 1 }
                }
            }
            #expect(checkedFiles > 100)
            #expect(checkedPages > 500)
            // A 16-bit checksum lets 1 flip in 65535 collide; the data (and so the pages) differ per
            // run, so demand nearly all rather than all (the unit tests pin exact flips).
            #expect(flippedDetected >= checkedPages - checkedPages / 100)
            try await cluster.start()
        }
    }
}
