/// The two kinds of object a repository holds. Anything else on disk (a socket, a fifo) is reported as
/// `.file`, because the repository only ever creates these two and callers need no third case.
public enum StorageEntryKind: String, Sendable {
    case file
    case directory
}
