#if canImport(Glibc)
import Glibc
#endif
import Logging
import LifeboatCodecs
import LifeboatCore
import LifeboatEngine
import LifeboatPostgres
import LifeboatStorage

/// One option value from its three sources, in order of precedence: the flag, the environment
/// (LIFEBOAT_<NAME>, upper case, dashes as underscores), the config file (stanza section, then global).
struct ResolvedOptions {
    let given: [String: String]
    let environment: [String: String]
    let config: ConfigFile
    let stanza: String?

    static func resolve(given: [String: String], configFlag: String?, environment: [String: String]) throws(LifeboatError) -> ResolvedOptions {
        let config = try loadConfig(explicit: configFlag ?? environment["LIFEBOAT_CONFIG"])
        // An empty value (`LIFEBOAT_STANZA=` exported by a shell) gives no stanza.
        let stanza = [given["stanza"], environment["LIFEBOAT_STANZA"], config.value("stanza", stanza: nil)]
            .compactMap { $0 }.first { !$0.isEmpty }
        return ResolvedOptions(given: given, environment: environment, config: config, stanza: stanza)
    }

    static func environmentName(_ option: String) -> String {
        "LIFEBOAT_" + option.uppercased().replacingDashes()
    }

    func string(_ option: String) -> String? {
        given[option] ?? environment[Self.environmentName(option)] ?? config.value(option, stanza: stanza)
    }

    func int(_ option: String, default fallback: Int, range: ClosedRange<Int>) throws(LifeboatError) -> Int {
        guard let text = string(option) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw LifeboatError(.invalidArgument, "invalid \(option) '\(text)': expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ option: String, default fallback: T) throws(LifeboatError) -> T where T.RawValue == String {
        guard let text = string(option) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw LifeboatError(.invalidArgument, "invalid \(option) '\(text)': expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func bool(_ option: String, flag: Bool) throws(LifeboatError) -> Bool {
        if flag { return true }
        guard let text = string(option)?.lowercased() else { return false }
        switch text {
        case "y", "yes", "true", "on", "1": return true
        case "n", "no", "false", "off", "0": return false
        default: throw LifeboatError(.invalidArgument, "invalid \(option) '\(text)': expected y or n")
        }
    }

    func requireStanza() throws(LifeboatError) -> String {
        guard let stanza, !stanza.isEmpty else {
            throw LifeboatError(.invalidArgument, "no stanza given", hint: "add --stanza NAME (or LIFEBOAT_STANZA, or stanza = NAME under [global] in the config file)")
        }
        guard stanza.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !stanza.hasPrefix(".") else {
            throw LifeboatError(.invalidArgument, "invalid stanza '\(stanza)': use letters, digits, '-', '_' and '.'")
        }
        return stanza
    }

    /// The repository a single-repository command works on: `--repo N` (LIFEBOAT_REPO, `repo = N`), default
    /// the first configured one.
    func selectedRepository() throws(LifeboatError) -> RepositoryOptions {
        try RepositoryOptions.resolve(self, index: try selectedRepositoryIndex())
    }

    /// The index `selectedRepository()` resolves, without resolving the repository itself.
    func selectedRepositoryIndex() throws(LifeboatError) -> Int {
        let fallback = RepositoryOptions.configuredIndices(self).first ?? 1
        return try int("repo", default: fallback, range: 1...RepositoryOptions.maxIndex)
    }

    /// Every repository multi-repository commands visit: all configured ones, or only `--repo N` when given.
    func visitedRepositories(selected: RepositoryOptions) throws(LifeboatError) -> [RepositoryOptions] {
        guard string("repo") == nil else { return [selected] }
        var result: [RepositoryOptions] = []
        for index in RepositoryOptions.configuredIndices(self) {
            result.append(index == selected.index ? selected : try RepositoryOptions.resolve(self, index: index))
        }
        return result.isEmpty ? [selected] : result
    }

    var outputFormat: OutputFormat {
        get throws(LifeboatError) { try choice("output", default: OutputFormat.text) }
    }

    var logLevel: Logger.Level {
        get throws(LifeboatError) {
            switch string("log-level") ?? "info" {
            case "error": return .error
            case "warn", "warning": return .warning
            case "info": return .info
            case "debug": return .debug
            case "trace": return .trace
            case let other: throw LifeboatError(.invalidArgument, "invalid log-level '\(other)': expected error, warn, info or debug")
            }
        }
    }

    /// The engine's view of the world for one command.
    /// `creatingCipherKey`: `init` creates the key file of a new encrypted stanza.
    func context(quietInfo: Bool = false, creatingCipherKey: Bool = false) throws(LifeboatError) -> EngineContext {
        let stanza = try requireStanza()
        let repository = try selectedRepository()
        let storage = try repository.storage(stanza: stanza, createKey: creatingCipherKey)
        let compressType = try choice("compress-type", default: CompressionType.zstd)
        let level = try int("compress-level", default: compressType.defaultLevel, range: compressType.levelRange)
        let processMax = try int("process-max", default: 2, range: 1...64)
        var port: Int?
        if let text = string("pg-port") {
            guard let value = Int(text), (1...65535).contains(value) else {
                throw LifeboatError(.invalidArgument, "invalid pg-port '\(text)': expected 1 to 65535")
            }
            port = value
        }
        let connection = ConnectionSettings(
            host: string("pg-host"), port: port, user: string("pg-user"), database: string("pg-database"))
        var level0 = try logLevel
        if quietInfo && given["log-level"] == nil && string("log-level") == nil { level0 = .warning }
        var logger = Logger(label: "lifeboat", factory: { _ in StandardErrorLogHandler() })
        logger.logLevel = level0
        let visited = try visitedRepositories(selected: repository)
        var targets: [RepositoryTarget] = []
        for other in visited {
            targets.append(RepositoryTarget(
                index: other.index, storage: other.index == repository.index ? storage : try other.storage(stanza: stanza, createKey: creatingCipherKey)))
        }
        var restoreOptions = ["--stanza", stanza]
        if visited.count == 1 {
            restoreOptions += repository.restoreCommandOptions
        } else {
            // The restored cluster's archive-get falls back across the same repositories.
            for other in visited { restoreOptions += try other.indexedRestoreCommandOptions() }
        }
        if let path = config.path { restoreOptions += ["--config", path] }
        var context = EngineContext(
            stanza: stanza, storage: storage, connection: connection,
            pgData: string("pg-data").map(absolutePath), processMax: processMax, compressType: compressType,
            compressLevel: level, logger: logger, progress: level0 <= .info ? .forStandardError() : .silent,
            emitProgress: { text in StandardError.write(text) }, restoreCommandOptions: restoreOptions,
            lockPath: absolutePath(string("lock-path") ?? "/tmp/lifeboat"))
        context.repositoryIndex = repository.index
        context.repositories = targets.count > 1 ? targets : []
        return context
    }

    /// The `stanza` set under `[global]` of the config file at `path`; nil when it is unreadable or sets none.
    static func stanzaInConfigFile(_ path: String) -> String? {
        guard access(path, R_OK) == 0, let config = try? loadConfig(explicit: path) else { return nil }
        return config.value("stanza", stanza: nil)
    }

    private static func loadConfig(explicit: String?) throws(LifeboatError) -> ConfigFile {
        let path = explicit ?? ConfigFile.defaultPath
        guard access(path, F_OK) == 0 else {
            if explicit != nil {
                throw LifeboatError(.invalidArgument, "config file '\(path)' does not exist", hint: "check --config (or LIFEBOAT_CONFIG)")
            }
            return ConfigFile()
        }
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(path)
        } catch {
            throw LifeboatError(.invalidArgument, "config file '\(path)' cannot be read: \(String(cString: strerror(errno)))")
        }
        return try ConfigFile(parsing: String(decoding: bytes, as: UTF8.self), path: absolutePath(path))
    }
}

private func readWholeFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw LifeboatError(.io, "open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: 4097)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/" + path
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}

enum OutputFormat: String, CaseIterable {
    case text, json
}
