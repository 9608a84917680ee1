#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore

/// Where a restore writes, checked in full before anything is written: the data directory and every
/// tablespace location must be empty (or `--force`), and every manifest path must stay inside them.
struct RestorePlan {
    let dataDirectory: String
    /// oid → absolute location the tablespace is restored to.
    let tablespaces: [UInt32: String]
    let directories: [ManifestDirectory]
    private let clearFirst: [String]

    /// Every file system a restore wrote to, for the final sync.
    var syncRoots: [String] { [dataDirectory] + tablespaces.values.sorted() }

    static func prepare(manifest: BackupManifest, options: RestoreOptions) throws -> RestorePlan {
        let dataDirectory = normalised(LocalFS.absolute(options.pgData))
        var clear: [String] = []
        if options.delta {
            try DeltaRestore.checkTarget(dataDirectory)
        } else if try !isEmptyOrAbsent(dataDirectory) {
            guard options.force else {
                throw LifeboatError(.directoryNotEmpty, "restore directory '\(dataDirectory)' is not empty",
                                    hint: "restore into an empty or new directory, or add --force to replace its contents")
            }
            if try LocalFS.status(dataDirectory + "/postmaster.pid") != nil {
                throw LifeboatError(.directoryNotEmpty, "restore directory '\(dataDirectory)' holds postmaster.pid: a server may be running on it",
                                    hint: "stop PostgreSQL (pg_ctl stop -D \(dataDirectory)) before restoring over it")
            }
            clear.append(dataDirectory)
        }

        let known = Set(manifest.tablespaces.map(\.oid))
        if let unknown = options.tablespaceMap.keys.first(where: { !known.contains($0) }) {
            throw LifeboatError(.invalidArgument, "--tablespace-map names tablespace \(unknown), which backup '\(manifest.label)' does not have",
                                hint: "its tablespaces are: \(manifest.tablespaces.map { "\($0.oid) (\($0.name))" }.joined(separator: ", "))")
        }
        var locations: [UInt32: String] = [:]
        for tablespace in manifest.tablespaces {
            let location = normalised(options.tablespaceMap[tablespace.oid] ?? tablespace.location)
            guard location.hasPrefix("/") else {
                throw LifeboatError(.unsafePath, "tablespace \(tablespace.oid) location '\(location)' is not an absolute path")
            }
            guard location != dataDirectory, !location.hasPrefix(dataDirectory + "/"), !dataDirectory.hasPrefix(location + "/") else {
                throw LifeboatError(.unsafePath, "tablespace \(tablespace.oid) location '\(location)' overlaps the restore directory",
                                    hint: "map it elsewhere with --tablespace-map \(tablespace.oid)=/new/path")
            }
            // --delta updates a tablespace in place, like the data directory.
            if try !options.delta && !isEmptyOrAbsent(location) {
                guard options.force else {
                    throw LifeboatError(.directoryNotEmpty, "tablespace \(tablespace.oid) location '\(location)' is not empty",
                                        hint: "map it elsewhere with --tablespace-map \(tablespace.oid)=/new/path, or add --force")
                }
                // --force only ever clears what looks like a PostgreSQL tablespace, never an arbitrary directory.
                guard try LocalFS.entries(of: location).allSatisfy({ $0.hasPrefix("PG_") }) else {
                    throw LifeboatError(.directoryNotEmpty, "tablespace location '\(location)' holds files that are not PostgreSQL's; refusing to clear it",
                                        hint: "map the tablespace to an empty directory with --tablespace-map \(tablespace.oid)=/new/path")
                }
                clear.append(location)
            }
            locations[tablespace.oid] = location
        }
        for directory in manifest.directories {
            let parts = try ManifestPath.validate(directory.path)
            if parts.first == "pg_tblspc", parts.count > 1 {
                guard let oid = UInt32(parts[1]), locations[oid] != nil, parts.count > 2 else {
                    throw LifeboatError(.unsafePath, "manifest directory '\(directory.path)' is not inside a known tablespace")
                }
            }
        }
        for file in manifest.files {
            let parts = try ManifestPath.validate(file.path)
            if parts.first == "pg_tblspc" {
                guard parts.count > 2, let oid = UInt32(parts[1]), locations[oid] != nil else {
                    throw LifeboatError(.unsafePath, "manifest file '\(file.path)' is not inside a known tablespace")
                }
            }
        }
        return RestorePlan(dataDirectory: dataDirectory, tablespaces: locations,
                           directories: manifest.directories.sorted { $0.path < $1.path }, clearFirst: clear)
    }

    /// Clears what --force allowed, then creates the data directory, the tablespace links and every directory.
    func createLayout() throws {
        for path in clearFirst { try LocalFS.removeContents(of: path) }
        try LocalFS.makeDirectories(dataDirectory, mode: 0o700)
        try LocalFS.makeDirectory(dataDirectory, mode: 0o700)
        let hasTablespaceDirectory = directories.contains { $0.path == "pg_tblspc" }
        if !tablespaces.isEmpty && !hasTablespaceDirectory {
            try LocalFS.makeDirectory(dataDirectory + "/pg_tblspc", mode: 0o700)
        }
        for directory in directories where !directory.path.hasPrefix("pg_tblspc/") {
            try LocalFS.makeDirectory(dataDirectory + "/" + directory.path, mode: mode_t(directory.mode & 0o7777))
        }
        for (oid, location) in tablespaces.sorted(by: { $0.key < $1.key }) {
            try LocalFS.makeDirectories(location, mode: 0o700)
            try LocalFS.makeDirectory(location, mode: 0o700)
            let link = dataDirectory + "/pg_tblspc/\(oid)"
            guard symlink(location, link) == 0 else { throw LocalFS.ioError("create tablespace link", link) }
        }
        for directory in directories where directory.path.hasPrefix("pg_tblspc/") {
            try LocalFS.makeDirectory(dataDirectory + "/" + directory.path, mode: mode_t(directory.mode & 0o7777))
        }
    }

    private static func isEmptyOrAbsent(_ path: String) throws -> Bool {
        guard let info = try LocalFS.status(path) else { return true }
        guard LocalFS.isDirectory(info) else {
            throw LifeboatError(.directoryNotEmpty, "restore target '\(path)' exists and is not a directory")
        }
        return try LocalFS.entries(of: path).isEmpty
    }

    private static func normalised(_ path: String) -> String {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}
