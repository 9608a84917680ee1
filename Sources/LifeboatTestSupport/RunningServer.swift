import Foundation
import LifeboatCore
import LifeboatPostgres

/// A postgres that `TestCluster.startOther` started on another data directory (e.g. a restore).
/// `TestCluster.destroy()` stops it; its data directory is left alone.
public final class RunningServer: Sendable {
    public let dataDirectory: String
    public let socketDirectory: String
    public let port: Int
    let control: ServerControl

    init(dataDirectory: String, socketDirectory: String, port: Int, control: ServerControl) {
        self.dataDirectory = dataDirectory
        self.socketDirectory = socketDirectory
        self.port = port
        self.control = control
    }

    /// Unix socket in `socketDirectory`, user and database "postgres".
    public var connectionSettings: ConnectionSettings {
        ConnectionSettings(host: socketDirectory, port: port, user: "postgres", database: "postgres")
    }

    public var logFile: String { control.logFile }

    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(connectionSettings)
    }

    /// Runs `sql` on a fresh connection, closed afterwards.
    @discardableResult
    public func query(_ sql: String) async throws -> QueryResult {
        let connection = try await connect()
        defer { connection.close() }
        return try await connection.query(sql)
    }

    public func stop(mode: String = "fast") async throws {
        try await control.stop(mode: mode)
    }

    public var isRunning: Bool { control.isRunning }

    /// The last 40 lines of this server's log.
    public func logTail() -> String {
        control.logTail()
    }
}
