/// Temporary names: written next to the final name (same directory, so rename is atomic and never
/// crosses a file system) and hidden from `list`, so readers never see a half-written file.
public enum StorageNaming {
    /// True for a name `list` must hide: a leading "." and ".tmp." inside, as `temporaryName` makes.
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.contains(".tmp.")
    }

    /// `.<name>.tmp.<pid>.<random>`: the pid tells an operator which process left it behind,
    /// the random part keeps two writers of one name in one process apart.
    static func temporaryName(for name: String, pid: Int32) -> String {
        // Keep the result under NAME_MAX (255 bytes) even for a long final name; the temp name only has
        // to be unique and hidden, so a truncated prefix is fine.
        var prefix = ""
        var bytes = 0
        for scalar in name.unicodeScalars {
            let width = String(scalar).utf8.count
            if bytes + width > 200 { break }
            bytes += width
            prefix.unicodeScalars.append(scalar)
        }
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return ".\(prefix).tmp.\(pid).\(random)"
    }
}
