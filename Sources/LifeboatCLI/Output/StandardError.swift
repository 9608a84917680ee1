#if canImport(Glibc)
import Glibc
#endif
import Logging

enum StandardError {
    static func write(_ text: String) { FileDescriptorText.write(text, to: 2) }
}

enum StandardOutput {
    static func write(_ text: String) { FileDescriptorText.write(text, to: 1) }
}

enum FileDescriptorText {
    /// Writes all of `text`, retrying short writes and EINTR; a closed pipe just ends the output.
    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count <= 0 { if errno == EINTR { continue }; return }
                offset += count
            }
        }
    }
}

/// Plain log lines on stderr: "2026-11-21 02:17:04.123 P1234 INFO: message". PostgreSQL copies an
/// archive_command's stderr into its own log, so lines must read well there too.
struct StandardErrorLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let stamp = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2)) "
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(now.tv_nsec / 1_000_000, 3))"
        let level: String
        switch event.level {
        case .trace: level = "TRACE"
        case .debug: level = "DEBUG"
        case .info, .notice: level = "INFO"
        case .warning: level = "WARN"
        case .error, .critical: level = "ERROR"
        }
        StandardError.write("\(stamp) P\(getpid()) \(level): \(event.message)\n")
    }
}
