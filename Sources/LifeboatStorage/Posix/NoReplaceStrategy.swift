/// How `commit(noReplace: true)` publishes atomically.
enum NoReplaceStrategy: Sendable {
    /// renameat2(RENAME_NOREPLACE), falling back to `linkThenUnlink` where the file system answers EINVAL.
    case renameat2
    /// link(temp, final) fails with EEXIST if the final name exists, atomically; then the temp name is
    /// unlinked. For file systems without RENAME_NOREPLACE (and for tests of that path).
    case linkThenUnlink
}
