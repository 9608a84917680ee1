import Foundation
import LifeboatCore

/// Locates PostgreSQL's programs (pg_ctl, initdb, pg_verifybackup…).
///
/// Search order: `$LIFEBOAT_PG_BINDIR`, then Debian's `/usr/lib/postgresql/<major>/bin` (the highest
/// installed major when none is asked for), then `PATH`. Debian keeps server programs out of PATH,
/// which is why its version directories come before it.
public enum PostgresBinaries {
    public static func path(of program: String, major: Int? = nil) throws(LifeboatError) -> String {
        try path(of: program, major: major, environment: ProcessInfo.processInfo.environment,
                 versionsRoot: "/usr/lib/postgresql")
    }

    /// `path(of:major:)` with its inputs explicit, for tests.
    static func path(of program: String, major: Int?, environment: [String: String], versionsRoot: String) throws(LifeboatError) -> String {
        for directory in searchDirectories(major: major, environment: environment, versionsRoot: versionsRoot) {
            let candidate = (directory as NSString).appendingPathComponent(program)
            if isExecutableFile(candidate) { return candidate }
        }
        let version = major.map { " \($0)" } ?? ""
        throw LifeboatError(
            .postgres, "PostgreSQL program '\(program)' not found",
            hint: "install the PostgreSQL\(version) server package (e.g. postgresql-\(major ?? 15)) or set "
                + "LIFEBOAT_PG_BINDIR to the directory that contains '\(program)'")
    }

    static func searchDirectories(major: Int?, environment: [String: String], versionsRoot: String) -> [String] {
        var directories: [String] = []
        if let bindir = environment["LIFEBOAT_PG_BINDIR"], !bindir.isEmpty { directories.append(bindir) }
        if let major {
            directories.append("\(versionsRoot)/\(major)/bin")
        } else {
            directories += installedMajors(versionsRoot: versionsRoot).map { "\(versionsRoot)/\($0)/bin" }
        }
        directories += (environment["PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        return directories
    }

    /// The numeric directories under `versionsRoot`, highest first.
    static func installedMajors(versionsRoot: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: versionsRoot)) ?? []
        return names.compactMap { Int($0) }.sorted(by: >)
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue && access(path, X_OK) == 0
    }
}
