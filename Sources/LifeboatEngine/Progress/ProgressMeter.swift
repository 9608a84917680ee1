#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How long work reports its progress: a live line on a terminal, a plain line every few seconds
/// otherwise (cron mails, journald), or nothing.
public enum ProgressStyle: Sendable {
    case terminal
    case lines(everySeconds: Double)
    case silent

    /// The conventional choice: live on a terminal, plain lines every 10 s otherwise.
    public static func forStandardError() -> ProgressStyle {
        isatty(2) == 1 ? .terminal : .lines(everySeconds: 10)
    }
}

/// Counts bytes and files moved by concurrent workers and reports rate and ETA.
/// Shared by the workers of one command; every method is cheap enough for the copy loop.
final class ProgressMeter: Sendable {
    private struct State {
        var bytes: UInt64 = 0
        var files = 0
        var lastReport: Double = 0
    }

    private let title: String
    private let totalBytes: UInt64
    private let totalFiles: Int
    private let style: ProgressStyle
    private let started: Double
    private let emit: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(title: String, totalBytes: UInt64, totalFiles: Int, style: ProgressStyle, emit: @escaping @Sendable (String) -> Void) {
        self.title = title
        self.totalBytes = totalBytes
        self.totalFiles = totalFiles
        self.style = style
        self.emit = emit
        started = Self.now()
        // The first report comes one interval in: short work stays quiet.
        state.withLock { $0.lastReport = started }
    }

    func advance(bytes: UInt64) {
        report(state.withLock { state -> State? in
            state.bytes += bytes
            return takeReportSlot(&state)
        })
    }

    func fileDone() {
        report(state.withLock { state -> State? in
            state.files += 1
            return takeReportSlot(&state)
        })
    }

    /// Clears the live line so the final summary starts on a clean line.
    func finish() {
        if case .terminal = style { emit("\r\u{1B}[K") }
    }

    private func takeReportSlot(_ state: inout State) -> State? {
        let interval: Double
        switch style {
        case .silent: return nil
        case .terminal: interval = 0.25
        case .lines(let every): interval = every
        }
        let now = Self.now()
        guard now - state.lastReport >= interval else { return nil }
        state.lastReport = now
        return state
    }

    private func report(_ snapshot: State?) {
        guard let snapshot else { return }
        let elapsed = max(Self.now() - started, 0.001)
        let rate = Double(snapshot.bytes) / elapsed
        var text = "\(title): \(ByteFormat.human(snapshot.bytes)) of \(ByteFormat.human(totalBytes))"
        if totalBytes > 0 { text += " (\(Int(Double(snapshot.bytes) * 100 / Double(totalBytes)))%)" }
        text += ", \(snapshot.files)/\(totalFiles) files, \(ByteFormat.human(UInt64(rate)))/s"
        if rate > 0, totalBytes > snapshot.bytes {
            text += ", ETA \(ByteFormat.duration(Double(totalBytes - snapshot.bytes) / rate))"
        }
        switch style {
        case .terminal: emit("\r\u{1B}[K" + text)
        case .lines: emit(text + "\n")
        case .silent: break
        }
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// Sizes and durations as people read them: "780.2 MiB", "1:05".
public enum ByteFormat {
    public static func human(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format1: value) + " " + units[unit]
    }

    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? "\(total / 3600):\(pad(total / 60 % 60)):\(pad(total % 60))"
            : "\(total / 60):\(pad(total % 60))"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension String {
    /// One decimal place without Foundation's formatters (kept off the archive-push start-up path).
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
