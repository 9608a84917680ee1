/// The rows of one statement in text format, copied out of libpq's PGresult so it can cross tasks.
public struct QueryResult: Sendable, Equatable {
    public let columns: [String]
    /// Text-format values; SQL NULL is nil.
    public let rows: [[String?]]
    /// The command tag, e.g. "SELECT 1" or "CREATE TABLESPACE".
    public var commandTag: String

    public init(columns: [String], rows: [[String?]], commandTag: String) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    /// The value at `row` in the first column named `column`; nil for NULL, an unknown column or a
    /// row out of range (check `rows.count` first when that distinction matters).
    public func value(_ row: Int, _ column: String) -> String? {
        guard rows.indices.contains(row), let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }
}
