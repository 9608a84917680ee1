import Foundation
import LifeboatCore
import Testing

/// A JSON value to plant in a manifest (test arguments must be Sendable, `Any` is not).
enum FieldValue: Sendable {
    case string(String)
    case int(Int)
}

@Suite("BackupManifest")
struct BackupManifestTests {
    static func sample() -> BackupManifest {
        BackupManifest(
            label: "20261121-100000F_20261122-100000I", type: .incr, reference: "20261121-100000F",
            lifeboatVersion: "0.1.0", systemIdentifier: "7311234567890123456", pgVersion: 150_018, timeline: 1,
            startLSN: lsn("0/2000028"), stopLSN: lsn("0/2000100"),
            startTime: Date(timeIntervalSince1970: 1_795_264_496.25), stopTime: Date(timeIntervalSince1970: 1_795_264_500.5),
            startWALFile: "000000010000000000000002", stopWALFile: "000000010000000000000002", stopNextXid: 742,
            walSegmentSize: 16 << 20, compressType: "zstd", compressLevel: 3,
            backupLabel: "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060\n",
            tablespaceMap: "16384 /srv/tblspc\n",
            tablespaces: [TablespaceEntry(oid: 16384, name: "fast", location: "/srv/tblspc")],
            directories: [ManifestDirectory(path: "base", mode: 0o700), ManifestDirectory(path: "pg_tblspc/16384", mode: 0o700)],
            files: [
                ManifestFile(
                    path: "PG_VERSION", size: 3, mtime: 1_795_264_000, mode: 0o600,
                    sha256: "3f1ec4a3c3a4e07cbbdce5d4f2b5a6c8b3f0c2d4e5f6a7b8c9d0e1f2a3b4c5d6", storedSize: 12,
                    reference: "20261121-100000F"),
                ManifestFile(
                    path: "base/1/1259", size: 8192, mtime: 1_795_264_100, mode: 0o600,
                    sha256: "0000000000000000000000000000000000000000000000000000000000000000", storedSize: 300),
                ManifestFile(
                    path: "pg_tblspc/16384/PG_15_202209061/5/16385", size: 16384, mtime: 1_795_264_200, mode: 0o600,
                    sha256: "1111111111111111111111111111111111111111111111111111111111111111", storedSize: 500),
            ])
    }

    @Test("a new manifest is format version 1")
    func version() {
        #expect(Self.sample().formatVersion == 1)
    }

    @Test("sizes: original counts every file, stored only this backup's own bytes")
    func sizes() {
        let manifest = Self.sample()
        #expect(manifest.originalSize == 3 + 8192 + 16384)
        #expect(manifest.storedSize == 300 + 500)
    }

    @Test("JSON round trip")
    func roundTrip() throws {
        let manifest = Self.sample()
        #expect(try BackupManifest.decode(manifest.encoded()) == manifest)
        var full = manifest
        full.type = .full
        full.reference = nil
        full.stopNextXid = nil
        full.tablespaceMap = nil
        full.files = full.files.map { var file = $0; file.reference = nil; return file }
        #expect(try BackupManifest.decode(full.encoded()) == full)
    }

    @Test("JSON shape: sorted property-name keys, string LSNs, ISO-8601 UTC dates with microseconds")
    func shape() throws {
        let text = String(decoding: try Self.sample().encoded(), as: UTF8.self)
        #expect(text.contains(#""startLSN" : "0/2000028""#))
        #expect(text.contains(#""startTime" : "2026-11-21T12:34:56.250000Z""#))
        #expect(text.contains(#""stopTime" : "2026-11-21T12:35:00.500000Z""#))
        #expect(text.contains(#""path" : "pg_tblspc/16384/PG_15_202209061/5/16385""#))
        #expect(text.contains(#""type" : "incr""#))
        #expect(text.contains(#""formatVersion" : 1"#))
        #expect(text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == [
            "formatVersion", "label", "type", "reference", "lifeboatVersion", "systemIdentifier", "pgVersion",
            "timeline", "startLSN", "stopLSN", "startTime", "stopTime", "startWALFile", "stopWALFile", "stopNextXid",
            "walSegmentSize", "compressType", "compressLevel", "backupLabel", "tablespaceMap", "tablespaces",
            "directories", "files",
        ])
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == keys.sorted())
        // Encoding is deterministic.
        #expect(try Self.sample().encoded() == Self.sample().encoded())
    }

    @Test("decodes dates written with other precisions and zones")
    func lenientDates() throws {
        var object = try jsonObject(Self.sample())
        object["startTime"] = "2026-11-21T12:34:56Z"
        object["stopTime"] = "2026-11-21T13:35:00.5+01:00"
        let manifest = try BackupManifest.decode(bytes(object))
        #expect(manifest.startTime == Date(timeIntervalSince1970: 1_795_264_496))
        #expect(manifest.stopTime == Date(timeIntervalSince1970: 1_795_264_500.5))
    }

    @Test("hostile file and directory paths are rejected at load", arguments: [
        "../../etc/cron.d/x", "/etc/passwd", "base/../../x", "a//b", "base/", "a\\b", "./PG_VERSION", "",
    ])
    func hostilePaths(path: String) throws {
        var fileObject = try jsonObject(Self.sample())
        var files = fileObject["files"] as! [[String: Any]]
        files[1]["path"] = path
        fileObject["files"] = files
        let fileError = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(fileObject)) }
        #expect(fileError?.code == .unsafePath)
        #expect(fileError?.message.hasPrefix("unsafe path '\(path)' in backup manifest: ") == true)

        var directoryObject = try jsonObject(Self.sample())
        directoryObject["directories"] = [["path": path, "mode": 448]]
        let directoryError = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(directoryObject)) }
        #expect(directoryError?.code == .unsafePath)
    }

    @Test("labels and references locate stored bytes, so they must be single names", arguments: [
        ("label", "../other-stanza"), ("reference", ".."), ("label", "a/b"),
    ])
    func hostileLabels(key: String, value: String) throws {
        var object = try jsonObject(Self.sample())
        object[key] = value
        let error = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(object)) }
        #expect(error?.code == .unsafePath)

        var fileObject = try jsonObject(Self.sample())
        var files = fileObject["files"] as! [[String: Any]]
        files[0]["reference"] = value
        fileObject["files"] = files
        let fileError = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(fileObject)) }
        #expect(fileError?.code == .unsafePath)
    }

    @Test("unparseable input is .corrupt with a one-line reason", arguments: [
        ("", "backup manifest does not parse: not valid JSON"),
        ("{", "backup manifest does not parse: not valid JSON"),
        ("[]", "backup manifest does not parse: wrong type at top level: expected Dictionary<String, Any>"),
        ("{}", "backup manifest does not parse: missing key 'formatVersion'"),
    ])
    func corrupt(text: String, message: String) {
        let error = #expect(throws: LifeboatError.self) { try BackupManifest.decode(Array(text.utf8)) }
        #expect(error?.code == .corrupt)
        #expect(error?.message == message)
        #expect(error?.hint != nil)
    }

    @Test("wrong field values name the field", arguments: [
        ("startLSN", .string("0-1"), "invalid value at 'startLSN': invalid LSN '0-1': expected two hex numbers like '0/2000028'"),
        ("type", .string("weekly"), "invalid value at 'type': Cannot initialize BackupType from invalid String value weekly"),
        ("startTime", .string("yesterday"), "invalid value at 'startTime': invalid timestamp 'yesterday': expected ISO-8601 with a zone"),
        ("startTime", .string("2026-11-21T12:34:56"), "invalid value at 'startTime': invalid timestamp '2026-11-21T12:34:56': expected ISO-8601 with a zone"),
        ("timeline", .string("1"), "wrong type at 'timeline': expected UInt32"),
        ("pgVersion", .string("15"), "wrong type at 'pgVersion': expected Int"),
        ("label", .int(5), "wrong type at 'label': expected String"),
    ] as [(String, FieldValue, String)])
    func wrongValues(key: String, value: FieldValue, reason: String) throws {
        var object = try jsonObject(Self.sample())
        switch value {
        case .string(let text): object[key] = text
        case .int(let number): object[key] = number
        }
        let error = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(object)) }
        #expect(error?.code == .corrupt)
        #expect(error?.message == "backup manifest does not parse: \(reason)")
    }

    @Test("a missing nested key names its location")
    func missingNested() throws {
        var object = try jsonObject(Self.sample())
        var files = object["files"] as! [[String: Any]]
        files[2].removeValue(forKey: "sha256")
        object["files"] = files
        let error = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(object)) }
        #expect(error?.message == "backup manifest does not parse: missing key 'sha256' in 'files[2]'")
    }

    @Test("an unknown format version is refused")
    func futureVersion() throws {
        var object = try jsonObject(Self.sample())
        object["formatVersion"] = 2
        let error = #expect(throws: LifeboatError.self) { try BackupManifest.decode(bytes(object)) }
        #expect(error?.code == .corrupt)
        #expect(error?.message == "backup manifest format version 2 is not supported (expected 1)")
    }

    @Test("BackupSummary takes the restore-relevant fields")
    func summary() {
        let manifest = Self.sample()
        let summary = BackupSummary(manifest)
        #expect(summary == BackupSummary(
            label: manifest.label, type: .incr, timeline: 1, startLSN: lsn("0/2000028"), stopLSN: lsn("0/2000100"),
            startTime: manifest.startTime, stopTime: manifest.stopTime, stopNextXid: 742))
    }

    @Test("backup types are full, diff, incr")
    func types() {
        #expect(BackupType.allCases.map(\.rawValue) == ["full", "diff", "incr"])
    }

    private func jsonObject(_ manifest: BackupManifest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(manifest.encoded())) as? [String: Any])
    }

    private func bytes(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object))
    }
}
