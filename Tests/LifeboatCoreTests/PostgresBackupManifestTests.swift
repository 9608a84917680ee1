import Foundation
import LifeboatCore
import Testing

@Suite("PostgresBackupManifest")
struct PostgresBackupManifestTests {
    /// Checked with `pg_verifybackup -n` (PostgreSQL 15) against a directory holding these two files.
    static let expected = """
        { "PostgreSQL-Backup-Manifest-Version": 1,
        "Files": [
        { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-11-21 12:34:56 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "238903180cc104ec2c5d8b3f20c5bc61b389ec0a967df8cc208cdc7cd454174f" },
        { "Path": "base/1/1259", "Size": 8192, "Last-Modified": "2026-11-21 10:00:00 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "9f1dcbc35c350d6027f98be0f5c8b43b42ca52b7604459c0c42be3aa88913d47" }
        ],
        "WAL-Ranges": [
        { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
        ],
        "Manifest-Checksum": "d064eecb657292d4064865bbfd03cd412267e6df9b3c36e5a1ca9aa5b240b2e4"}

        """

    static func render() -> String {
        PostgresBackupManifest.render(
            files: [
                .init(
                    path: "PG_VERSION", size: 3, lastModified: utc("2026-11-21 12:34:56.7"),
                    sha256Hex: "238903180cc104ec2c5d8b3f20c5bc61b389ec0a967df8cc208cdc7cd454174f"),
                .init(
                    path: "base/1/1259", size: 8192, lastModified: utc("2026-11-21 10:00:00"),
                    sha256Hex: "9f1dcbc35c350d6027f98be0f5c8b43b42ca52b7604459c0c42be3aa88913d47"),
            ],
            walRanges: [.init(timeline: 1, startLSN: lsn("0/2000028"), endLSN: lsn("0/2000100"))])
    }

    @Test("renders exactly what PostgreSQL 15 writes")
    func exactText() {
        #expect(Self.render() == Self.expected)
    }

    @Test("Manifest-Checksum is the SHA-256 of every byte before its line")
    func checksumCoversPrefix() throws {
        let text = Self.render()
        let marker = try #require(text.range(of: "\"Manifest-Checksum\": \""))
        let prefix = Array(text[..<marker.lowerBound].utf8)
        let checksum = text[marker.upperBound...].prefix(64)
        #expect(SHA256Digest.hex(of: prefix) == String(checksum))
        #expect(text.hasSuffix("\"}\n"))
        // pg_verifybackup finds the checksum line as the text after the last-but-one newline.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines[lines.count - 2].hasPrefix("\"Manifest-Checksum\": "))
    }

    @Test("no files and several WAL ranges (newest timeline first, as the server lists them)")
    func layoutEdges() {
        let text = PostgresBackupManifest.render(
            files: [],
            walRanges: [
                .init(timeline: 2, startLSN: lsn("0/3000148"), endLSN: lsn("0/4000100")),
                .init(timeline: 1, startLSN: lsn("0/2000028"), endLSN: lsn("0/3000148")),
            ])
        let prefix = """
            { "PostgreSQL-Backup-Manifest-Version": 1,
            "Files": [
            ],
            "WAL-Ranges": [
            { "Timeline": 2, "Start-LSN": "0/3000148", "End-LSN": "0/4000100" },
            { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/3000148" }
            ],

            """
        #expect(text == prefix + "\"Manifest-Checksum\": \"\(SHA256Digest.hex(of: Array(prefix.utf8)))\"}\n")
    }

    @Test("paths are escaped like PostgreSQL's escape_json", arguments: [
        ("plain/path", #""plain/path""#),
        ("quote\"back\\slash", #""quote\"back\\slash""#),
        ("tab\tnl\ncr\rbs\u{08}ff\u{0C}", #""tab\tnl\ncr\rbs\bff\f""#),
        ("ctl\u{01}\u{1F}\u{7F}", #""ctl\u0001\u001f"# + "\u{7F}\""),
        ("pg_tblspc/16384/é/日本", "\"pg_tblspc/16384/é/日本\""),
    ])
    func escaping(path: String, json: String) {
        let text = PostgresBackupManifest.render(
            files: [.init(path: path, size: 0, lastModified: Date(timeIntervalSince1970: 0), sha256Hex: "00")], walRanges: [])
        #expect(text.contains("{ \"Path\": \(json), \"Size\": 0, \"Last-Modified\": \"1970-01-01 00:00:00 GMT\""))
    }
}
