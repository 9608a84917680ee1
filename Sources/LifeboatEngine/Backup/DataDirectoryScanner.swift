#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore

/// A file of the data directory (or of a tablespace) that a backup copies.
struct SourceFile: Sendable {
    let manifestPath: String      // "base/5/16384", "pg_tblspc/16385/PG_15_202209061/5/16390"
    let absolutePath: String
    let size: UInt64
    let mtime: Int64
    let mode: UInt32
}

/// What a walk of the data directory found, after PostgreSQL's documented exclusions.
struct DataDirectoryContents: Sendable {
    var files: [SourceFile] = []
    var directories: [ManifestDirectory] = []
    var tablespaces: [TablespaceEntry] = []    // oid and link target; names filled in from the server
    var skippedUnlogged = 0
}

/// Walks a PostgreSQL data directory the way a base backup must (PostgreSQL docs, "Making a Base Backup
/// Using the Low Level API", and what pg_basebackup itself leaves out).
struct DataDirectoryScanner {
    /// Directories whose contents are rebuilt by PostgreSQL at start-up: kept empty in a backup.
    static let excludedDirectoryContents: Set<String> = [
        "pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots",
        "pg_stat_tmp", "pg_subtrans",
    ]
    /// Files never copied, wherever they are: they describe a running server or an earlier backup.
    static let excludedFiles: Set<String> = [
        "postmaster.pid", "postmaster.opts", "backup_label", "backup_label.old", "tablespace_map",
        "backup_manifest", "postgresql.auto.conf.tmp", "current_logfiles.tmp",
    ]

    let dataDirectory: String

    func scan() throws(LifeboatError) -> DataDirectoryContents {
        var contents = DataDirectoryContents()
        try walk(absolute: dataDirectory, relative: "", depth: 0, into: &contents)
        contents.files.sort { $0.size > $1.size }  // biggest first keeps the workers evenly busy
        return contents
    }

    private func walk(absolute: String, relative: String, depth: Int, into contents: inout DataDirectoryContents) throws(LifeboatError) {
        let names = try LocalFS.entries(of: absolute)
        let unloggedRelations = Self.unloggedRelationNodes(in: names)
        for name in names {
            let absolutePath = absolute + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            if Self.excludedFiles.contains(name) || name.hasPrefix("pg_internal.init") || name.hasPrefix("pgsql_tmp") {
                continue
            }
            if Self.isTemporaryRelation(name) { continue }
            if let node = Self.relationNode(of: name), unloggedRelations.contains(node), !name.hasSuffix("_init") {
                contents.skippedUnlogged += 1
                continue
            }
            guard var info = try LocalFS.status(absolutePath) else { continue }  // dropped while we looked

            if LocalFS.isSymlink(info) {
                if relative == "pg_tblspc", let oid = UInt32(name) {
                    let location = try LocalFS.readLink(absolutePath)
                    contents.tablespaces.append(TablespaceEntry(oid: oid, name: "", location: location))
                    try walk(absolute: absolutePath, relative: relativePath, depth: depth + 1, into: &contents)
                    continue
                }
                // Any other link (pg_wal placed elsewhere, a linked config file): back up what it points to.
                guard stat(absolutePath, &info) == 0 else { continue }
            }
            if LocalFS.isDirectory(info) {
                contents.directories.append(ManifestDirectory(path: relativePath, mode: UInt32(info.st_mode & 0o7777)))
                if depth == 0 && Self.excludedDirectoryContents.contains(name) {
                    if name == "pg_wal" {
                        // PostgreSQL expects pg_wal/archive_status to exist when it starts.
                        contents.directories.append(ManifestDirectory(path: "pg_wal/archive_status", mode: 0o700))
                    }
                    continue
                }
                try walk(absolute: absolutePath, relative: relativePath, depth: depth + 1, into: &contents)
            } else if LocalFS.isRegular(info) {
                contents.files.append(SourceFile(
                    manifestPath: relativePath, absolutePath: absolutePath, size: UInt64(info.st_size),
                    mtime: Int64(info.st_mtim.tv_sec), mode: UInt32(info.st_mode & 0o7777)))
            }
            // Sockets, FIFOs and devices have no place in a backup.
        }
    }

    /// "16384", "16384.1", "16384_fsm", "16384_init" → "16384"; anything else → nil.
    static func relationNode(of name: String) -> Substring? {
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let rest = name.dropFirst(digits.count)
        if rest.isEmpty || ["_fsm", "_vm", "_init"].contains(rest) { return digits }
        if rest.hasPrefix("."), rest.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), rest.count > 1 { return digits }
        if let dot = rest.firstIndex(of: "."), ["_fsm", "_vm", "_init"].contains(rest[..<dot]),
           rest[rest.index(after: dot)...].allSatisfy({ $0.isASCII && $0.isNumber }) {
            return digits
        }
        return nil
    }

    /// Relations with an init fork are unlogged: only the init fork belongs in a backup.
    static func unloggedRelationNodes(in names: [String]) -> Set<Substring> {
        Set(names.compactMap { name in name.hasSuffix("_init") ? relationNode(of: name) : nil })
    }

    /// "t3_16384" and its forks: temporary relations of a backend.
    static func isTemporaryRelation(_ name: String) -> Bool {
        guard name.hasPrefix("t") else { return false }
        let body = name.dropFirst()
        guard let underscore = body.firstIndex(of: "_") else { return false }
        let backend = body[..<underscore]
        let rest = String(body[body.index(after: underscore)...])
        return !backend.isEmpty && backend.allSatisfy { $0.isASCII && $0.isNumber } && relationNode(of: rest) != nil
    }
}
