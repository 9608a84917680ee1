import CLibPQ
import Foundation
import LifeboatCore

/// One libpq connection.
///
/// libpq calls block, so each one runs on the connection's own thread (never on Swift's cooperative
/// pool) and the awaiting task is resumed through a continuation. Calls on one connection are
/// serialised; the connection is meant to be used by one task at a time, like a psql session (which
/// is what a non-exclusive backup needs: `pg_backup_start` and `pg_backup_stop` on one session).
///
/// Cancelling the awaiting task sends a cancel request to the server for the statement in progress.
public final class PostgresConnection: @unchecked Sendable {
    // unchecked: the PGconn* is not thread-safe; it is only touched with `lock` held. The PGcancel*
    // is thread-safe by libpq's contract and only guarded against being freed while in use.
    private let lock = NSLock()
    private var connection: OpaquePointer?
    private let cancelLock = NSLock()
    private var cancelHandle: OpaquePointer?
    private let thread: BlockingThread

    /// What the connection was opened with.
    public let settings: ConnectionSettings
    /// PQserverVersion, e.g. 150004; read once at connect time since it cannot change.
    public let serverVersionNum: Int

    private init(handle: PGconnHandle, thread: BlockingThread, settings: ConnectionSettings) {
        self.connection = handle.pointer
        self.cancelHandle = PQgetCancel(handle.pointer)
        self.serverVersionNum = Int(PQserverVersion(handle.pointer))
        self.thread = thread
        self.settings = settings
    }

    deinit { close() }

    /// Connects with `settings`, letting libpq apply PG* variables, the password file and service files.
    public static func connect(_ settings: ConnectionSettings) async throws(LifeboatError) -> PostgresConnection {
        let thread = BlockingThread(name: "lifeboat-libpq")
        let conninfo = settings.conninfo
        let outcome = await thread.run { () -> Result<PGconnHandle, LifeboatError> in
            blockingConnect(conninfo: conninfo, settings: settings)
        }
        switch outcome {
        case .success(let handle)?:
            return PostgresConnection(handle: handle, thread: thread, settings: settings)
        case .failure(let error)?:
            thread.stop()
            throw error
        case nil:
            throw LifeboatError(.internal, "the libpq thread stopped before connecting")
        }
    }

    /// Runs `sql` with the simple query protocol (PQexec). With several statements, the result of the
    /// last one is returned; the first failing statement ends the batch with its error.
    public func query(_ sql: String) async throws(LifeboatError) -> QueryResult {
        // A task that is already cancelled still runs its statement (it is often cleanup such as
        // pg_backup_stop); only a cancellation that arrives while waiting interrupts the server.
        let outcome: Result<QueryResult, LifeboatError>?
        if Task.isCancelled {
            outcome = await thread.run { [self] in blockingQuery(sql) }
        } else {
            outcome = await withTaskCancellationHandler {
                await thread.run { [self] in blockingQuery(sql) }
            } onCancel: { [self] in
                requestCancel()
            }
        }
        guard let outcome else { throw Self.closedError }
        switch outcome {
        case .success(let result):
            return result
        case .failure(let error):
            if Task.isCancelled, error.message.contains("(SQLSTATE 57014)") {
                throw LifeboatError(.interrupted, "query cancelled", hint: error.message)
            }
            throw error
        }
    }

    /// `query`, for statements whose rows do not matter.
    public func execute(_ sql: String) async throws(LifeboatError) {
        _ = try await query(sql)
    }

    /// The text as an SQL string literal, quotes included (PQescapeLiteral, which knows the
    /// connection's encoding and standard_conforming_strings).
    public func escapeLiteral(_ text: String) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let connection, let escaped = PQescapeLiteral(connection, text, text.utf8.count) {
            defer { PQfreemem(escaped) }
            return String(cString: escaped)
        }
        // Closed connection: an E'' literal is correct whatever standard_conforming_strings says.
        return Self.fallbackLiteral(text)
    }

    /// Closes the connection; later calls fail with `.postgres`. Idempotent; waits for a call in progress.
    public func close() {
        lock.lock()
        let closing = connection
        connection = nil
        lock.unlock()

        cancelLock.lock()
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        cancelHandle = nil
        cancelLock.unlock()

        if let closing { PQfinish(closing) }
        thread.stop()
    }

    // MARK: - On the libpq thread

    private static func blockingConnect(conninfo: String, settings: ConnectionSettings) -> Result<PGconnHandle, LifeboatError> {
        // The conninfo goes in as an expanded dbname; client_encoding after it wins over
        // PGCLIENTENCODING because every string is decoded as UTF-8.
        let keywords: [UnsafeMutablePointer<CChar>?] = ["dbname", "client_encoding"].map { (text: String) in strdup(text) }
        let values: [UnsafeMutablePointer<CChar>?] = [conninfo, "UTF8"].map { (text: String) in strdup(text) }
        defer { (keywords + values).forEach { free($0) } }
        let keywordPointers: [UnsafePointer<CChar>?] = keywords.map { $0.map { UnsafePointer($0) } } + [nil]
        let valuePointers: [UnsafePointer<CChar>?] = values.map { $0.map { UnsafePointer($0) } } + [nil]

        guard let connection = PQconnectdbParams(keywordPointers, valuePointers, 1) else {
            return .failure(connectError(target: settings.describeTarget(environment: ProcessInfo.processInfo.environment),
                                         reason: "out of memory", needsPassword: false))
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = connectError(
                target: describeTarget(of: connection, settings: settings),
                reason: firstLine(of: PQerrorMessage(connection)),
                needsPassword: PQconnectionNeedsPassword(connection) == 1)
            PQfinish(connection)
            return .failure(error)
        }
        return .success(PGconnHandle(pointer: connection))
    }

    private func blockingQuery(_ sql: String) -> Result<QueryResult, LifeboatError> {
        lock.lock()
        defer { lock.unlock() }
        guard let connection else { return .failure(Self.closedError) }
        guard let result = PQexec(connection, sql) else {
            return .failure(Self.queryError(connection: connection, result: nil))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return .success(QueryResult(copying: result))
        case PGRES_COPY_OUT, PGRES_COPY_IN, PGRES_COPY_BOTH:
            Self.abandonCopy(connection)
            return .failure(LifeboatError(
                .internal, "query failed: the statement started a COPY, which query() does not support"))
        default:
            return .failure(Self.queryError(connection: connection, result: result))
        }
    }

    /// Brings a connection that entered COPY mode back to idle, discarding the data.
    private static func abandonCopy(_ connection: OpaquePointer) {
        _ = PQputCopyEnd(connection, "COPY is not supported by this call")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(connection, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
        while let pending = PQgetResult(connection) { PQclear(pending) }
    }

    // MARK: - Cancellation

    /// Asks the server to cancel the statement in progress. PQcancel opens a new connection and can
    /// block, so it runs on a short-lived thread rather than on the cancelling task's thread.
    private func requestCancel() {
        Thread.detachNewThread { [self] in
            cancelLock.lock()
            defer { cancelLock.unlock() }
            guard let cancelHandle else { return }
            var errorBuffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancelHandle, &errorBuffer, Int32(errorBuffer.count))
        }
    }

    // MARK: - Errors

    static let closedError = LifeboatError(
        .postgres, "query failed: the connection is closed",
        hint: "this is a bug: a connection was used after close()")

    private static func connectError(target: String, reason: String, needsPassword: Bool) -> LifeboatError {
        let hint = needsPassword
            ? "set PGPASSWORD or add an entry to the password file (~/.pgpass or PGPASSFILE)"
            : "check --pg-host/--pg-port (or PGHOST/PGPORT) and that the server is running"
        return LifeboatError(.postgres, "unable to connect to PostgreSQL at \(target): \(reason)", hint: hint)
    }

    /// Names the server libpq actually tried (it knows about service files and defaults); falls back
    /// to the settings when the conninfo could not even be parsed.
    private static func describeTarget(of connection: OpaquePointer, settings: ConnectionSettings) -> String {
        let host = PQhost(connection).map { String(cString: $0) } ?? ""
        let port = PQport(connection).map { String(cString: $0) } ?? ""
        guard !host.isEmpty, !port.isEmpty else {
            return settings.describeTarget(environment: ProcessInfo.processInfo.environment)
        }
        return host.hasPrefix("/") || host.hasPrefix("@") ? "\(host)/.s.PGSQL.\(port)" : "\(host):\(port)"
    }

    private static func queryError(connection: OpaquePointer, result: OpaquePointer?) -> LifeboatError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let primary = field("M") ?? firstLine(of: PQerrorMessage(connection))
        var message = "query failed: \(primary)"
        if let sqlState = field("C") { message += " (SQLSTATE \(sqlState))" }
        let hint = PQstatus(connection) == CONNECTION_BAD
            ? "the connection to the server was lost; check the PostgreSQL server log"
            : field("H")
        return LifeboatError(.postgres, message, hint: hint)
    }

    private static func firstLine(of message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown libpq error" }
        let line = String(cString: message).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingWhitespace()
        return trimmed.isEmpty ? "unknown libpq error" : trimmed
    }

    static func fallbackLiteral(_ text: String) -> String {
        var literal = "E'"
        for character in text {
            if character == "'" || character == "\\" { literal.append(character) }
            literal.append(character)
        }
        return literal + "'"
    }
}

/// Carries a fresh PGconn* from the libpq thread that opened it to the connection object.
private struct PGconnHandle: @unchecked Sendable {  // unchecked: handed over once, before any other use
    let pointer: OpaquePointer
}

extension QueryResult {
    /// Copies every value out of a PGresult, which must not outlive its PQclear.
    fileprivate init(copying result: OpaquePointer) {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column -> String? in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
        self.init(columns: columns, rows: rows, commandTag: String(cString: PQcmdStatus(result)))
    }
}
