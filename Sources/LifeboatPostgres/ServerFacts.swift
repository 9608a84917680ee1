import LifeboatCore

/// Facts Lifeboat needs from a running server, read with one connection.
public struct ServerFacts: Sendable, Equatable {
    /// pg_control_system().system_identifier as decimal digits, the way pg_controldata and
    /// backup manifests print it (kept as text so it is compared, never computed with).
    public var systemIdentifier: String
    /// server_version_num, e.g. 150004.
    public var versionNum: Int
    public var dataDirectory: String
    public var walLevel: String
    public var archiveMode: String
    public var archiveCommand: String
    /// In bytes (16777216 by default).
    public var walSegmentSize: UInt64
    public var dataChecksums: Bool
    public var inRecovery: Bool
    /// On a primary, the timeline of the WAL being written now (right after a promotion the
    /// checkpoint's timeline lags until the end-of-recovery checkpoint completes); during recovery,
    /// pg_control_checkpoint().timeline_id.
    public var timeline: UInt32
    /// User tablespaces, ordered by oid; pg_default and pg_global are excluded.
    public var tablespaces: [Tablespace]

    public init(
        systemIdentifier: String, versionNum: Int, dataDirectory: String, walLevel: String,
        archiveMode: String, archiveCommand: String, walSegmentSize: UInt64, dataChecksums: Bool,
        inRecovery: Bool, timeline: UInt32, tablespaces: [Tablespace]
    ) {
        self.systemIdentifier = systemIdentifier
        self.versionNum = versionNum
        self.dataDirectory = dataDirectory
        self.walLevel = walLevel
        self.archiveMode = archiveMode
        self.archiveCommand = archiveCommand
        self.walSegmentSize = walSegmentSize
        self.dataChecksums = dataChecksums
        self.inRecovery = inRecovery
        self.timeline = timeline
        self.tablespaces = tablespaces
    }

    /// Reads every fact in two queries. Needs a superuser or a role with pg_read_all_settings and
    /// EXECUTE on pg_control_system()/pg_control_checkpoint() (pg_monitor has both).
    public static func read(from connection: PostgresConnection) async throws(LifeboatError) -> ServerFacts {
        let settings = try await connection.query(settingsQuery)
        guard settings.rows.count == 1 else {
            throw LifeboatError(.internal, "reading server facts returned \(settings.rows.count) rows instead of 1")
        }
        func text(_ column: String) throws(LifeboatError) -> String {
            guard let value = settings.value(0, column) else {
                throw LifeboatError(.parse, "PostgreSQL returned no value for '\(column)'")
            }
            return value
        }
        let tablespaceRows = try await connection.query(tablespacesQuery)
        let tablespaces = try tablespaceRows.rows.indices.map { (row: Int) throws(LifeboatError) -> Tablespace in
            guard let oidText = tablespaceRows.value(row, "oid"), let oid = UInt32(oidText),
                  let name = tablespaceRows.value(row, "spcname"),
                  let location = tablespaceRows.value(row, "location")
            else { throw LifeboatError(.parse, "unexpected row in pg_tablespace: \(tablespaceRows.rows[row])") }
            return Tablespace(oid: oid, name: name, location: location)
        }

        let systemIdentifier = try text("system_identifier")
        guard !systemIdentifier.isEmpty, systemIdentifier.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw LifeboatError(.parse, "unexpected system identifier '\(systemIdentifier)' from PostgreSQL")
        }
        let versionText = try text("version_num")
        guard let versionNum = Int(versionText) else {
            throw LifeboatError(.parse, "unexpected server_version_num '\(versionText)' from PostgreSQL")
        }
        let inRecovery = try text("in_recovery") == "true"
        return ServerFacts(
            systemIdentifier: systemIdentifier,
            versionNum: versionNum,
            dataDirectory: try text("data_directory"),
            walLevel: try text("wal_level"),
            archiveMode: try text("archive_mode"),
            archiveCommand: try text("archive_command"),
            walSegmentSize: try walSegmentBytes(setting: text("wal_segment_size"), unit: settings.value(0, "wal_segment_unit")),
            dataChecksums: try text("data_checksums") == "on",
            inRecovery: inRecovery,
            timeline: try timeline(walFile: settings.value(0, "current_wal_file"), checkpoint: text("checkpoint_timeline")),
            tablespaces: tablespaces)
    }

    // pg_current_wal_lsn() fails during recovery; CASE only evaluates it on a primary.
    static let settingsQuery = """
        SELECT (SELECT system_identifier FROM pg_control_system())::text AS system_identifier,
               current_setting('server_version_num') AS version_num,
               current_setting('data_directory') AS data_directory,
               current_setting('wal_level') AS wal_level,
               current_setting('archive_mode') AS archive_mode,
               current_setting('archive_command') AS archive_command,
               s.setting AS wal_segment_size,
               s.unit AS wal_segment_unit,
               current_setting('data_checksums') AS data_checksums,
               pg_is_in_recovery()::text AS in_recovery,
               (SELECT timeline_id FROM pg_control_checkpoint())::text AS checkpoint_timeline,
               CASE WHEN pg_is_in_recovery() THEN NULL
                    ELSE pg_walfile_name(pg_current_wal_lsn()) END AS current_wal_file
        FROM pg_settings s
        WHERE s.name = 'wal_segment_size'
        """

    static let tablespacesQuery = """
        SELECT oid, spcname, pg_tablespace_location(oid) AS location
        FROM pg_tablespace
        WHERE spcname NOT IN ('pg_default', 'pg_global')
        ORDER BY oid
        """

    /// pg_settings gives wal_segment_size as a number of units: "16777216" × "B" on PG 11+, "2048" ×
    /// "8kB" on PG 10. A unit is an optional multiplier followed by B, kB, MB, GB or TB.
    static func walSegmentBytes(setting: String, unit: String?) throws(LifeboatError) -> UInt64 {
        let unit = unit ?? "B"
        let digits = unit.prefix(while: \.isNumber)
        let suffix = unit.dropFirst(digits.count)
        let scales: [Substring: UInt64] = ["B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40]
        guard let count = UInt64(setting), let scale = scales[suffix],
              let multiplier = digits.isEmpty ? 1 : UInt64(digits)
        else {
            throw LifeboatError(.parse, "unexpected wal_segment_size '\(setting)' with unit '\(unit)' from PostgreSQL")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier * scale)
        guard !overflow else {
            throw LifeboatError(.parse, "unexpected wal_segment_size '\(setting)' with unit '\(unit)' from PostgreSQL")
        }
        return bytes
    }

    /// The timeline is the first 8 hex digits of a WAL file name; without one (in recovery) the
    /// checkpoint's timeline is the best the server tells.
    static func timeline(walFile: String?, checkpoint: String) throws(LifeboatError) -> UInt32 {
        if let walFile, walFile.count == 24, let timeline = UInt32(walFile.prefix(8), radix: 16) {
            return timeline
        }
        guard let timeline = UInt32(checkpoint) else {
            throw LifeboatError(.parse, "unexpected timeline '\(checkpoint)' from PostgreSQL")
        }
        return timeline
    }
}
