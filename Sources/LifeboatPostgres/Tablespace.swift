/// A user tablespace: the backup copies `location` and records it in `tablespace_map` under `oid`.
public struct Tablespace: Sendable, Equatable {
    public var oid: UInt32
    public var name: String
    /// pg_tablespace_location(oid): the directory the pg_tblspc/<oid> symlink points to.
    public var location: String

    public init(oid: UInt32, name: String, location: String) {
        self.oid = oid
        self.name = name
        self.location = location
    }
}
