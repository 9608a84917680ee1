/// How `commit()` publishes a file.
public struct WriteOptions: Sendable {
    /// `true`: `commit()` returns only once the file and its name survive a power loss.
    /// `false`: the file is published (visible, atomic) but only becomes durable at the next `syncAll()`;
    /// this is how a backup of thousands of files avoids one fsync per file.
    public var durable: Bool
    /// `true`: `commit()` fails with `.alreadyExists` if the final name exists, and leaves that file as it
    /// was. `archive-push` relies on this so that two pushes of one WAL segment never overwrite each other.
    public var noReplace: Bool

    public init(durable: Bool = true, noReplace: Bool = false) {
        self.durable = durable
        self.noReplace = noReplace
    }
}
