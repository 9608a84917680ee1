/// How a relation file stored page by page is rebuilt.
///
/// A diff/incr stores only the 8 KiB pages whose content differs from the reference backup's copy
/// (see `PageMap`). Restore lays the layers down oldest first — each a whole copy (`pages == false`)
/// or a `PageObject` of changed pages — then this entry's own `PageObject`, then truncates to the
/// entry's size. Every page position below the final size is covered: a page a layer did not store
/// equals (by page hash) the page at the same position in the layer below, which was long enough to
/// hold it (pages beyond the previous length are always stored).
public struct BlockIncremental: Codable, Sendable, Equatable {
    public var base: [BlockLayer]

    public init(base: [BlockLayer]) {
        self.base = base
    }
}

/// One earlier object of a rebuilt file: `<label>/data/<path>.<ext>` of that backup.
public struct BlockLayer: Codable, Sendable, Equatable {
    public var label: String
    /// True: a `PageObject` (changed pages); false: the whole file as it was then.
    public var pages: Bool

    public init(label: String, pages: Bool) {
        self.label = label
        self.pages = pages
    }
}
