/// A tablespace: "pg_tblspc/<oid>" in the data directory links to `location`.
public struct TablespaceEntry: Codable, Sendable, Equatable {
    public var oid: UInt32
    public var name: String
    public var location: String

    public init(oid: UInt32, name: String, location: String) {
        self.oid = oid
        self.name = name
        self.location = location
    }
}
