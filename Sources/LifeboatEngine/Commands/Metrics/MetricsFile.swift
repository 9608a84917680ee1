/// The textfile-collector output of `lifeboat metrics --output-file`: written to a temporary name
/// (which node_exporter ignores: it reads only `*.prom`), fsynced, renamed over the file and the
/// directory fsynced, so a scrape never sees half a file.
public enum MetricsFile {
    public static func write(_ text: String, to path: String) throws {
        try LocalFS.writeFileDurably(LocalFS.absolute(path), Array(text.utf8), mode: 0o644)
    }
}
