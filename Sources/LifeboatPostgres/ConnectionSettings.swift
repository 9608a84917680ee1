import CLibPQ
import Foundation

/// Where and as whom to connect. Only what Lifeboat's options set explicitly is stored here: every
/// unset field is left out of `conninfo`, so libpq itself applies PGHOST, PGPORT, PGUSER, PGPASSWORD,
/// PGPASSFILE, PGSERVICE, PGSSLMODE and friends exactly as psql would.
public struct ConnectionSettings: Sendable, Equatable {
    /// A unix-socket directory (starts with `/`) or a host name; nil → PGHOST or libpq's default.
    public var host: String?
    /// nil → PGPORT or 5432.
    public var port: Int?
    /// nil → PGUSER or the OS user name.
    public var user: String?
    /// nil → PGDATABASE when set, otherwise "postgres" (libpq's own default, the user name, rarely exists).
    public var database: String?
    public var applicationName: String
    /// libpq's `connect_timeout`; 0 waits forever.
    public var connectTimeoutSeconds: Int
    /// Opens a walsender connection (`replication=database`) that accepts both SQL and replication
    /// commands such as IDENTIFY_SYSTEM.
    public var replication: Bool = false

    public init(
        host: String? = nil, port: Int? = nil, user: String? = nil, database: String? = nil,
        applicationName: String = "lifeboat", connectTimeoutSeconds: Int = 10
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// A keyword=value conninfo string with every value single-quoted. Never contains a password:
    /// libpq finds it in PGPASSWORD or the password file.
    public var conninfo: String {
        conninfo(environment: ProcessInfo.processInfo.environment)
    }

    /// `conninfo`, with the environment passed in so the PGDATABASE fallback can be tested.
    func conninfo(environment: [String: String]) -> String {
        var pairs: [(String, String)] = []
        if let host { pairs.append(("host", host)) }
        if let port { pairs.append(("port", String(port))) }
        if let user { pairs.append(("user", user)) }
        if let database {
            pairs.append(("dbname", database))
        } else if environment["PGDATABASE"] == nil {
            pairs.append(("dbname", "postgres"))
        }
        pairs.append(("application_name", applicationName))
        pairs.append(("connect_timeout", String(connectTimeoutSeconds)))
        if replication { pairs.append(("replication", "database")) }
        return pairs.map { "\($0.0)=\(Self.quote($0.1))" }.joined(separator: " ")
    }

    /// Quotes a conninfo value: libpq reads `'…'` with `\'` and `\\` as escapes, which covers spaces,
    /// empty strings and `=` in a value.
    static func quote(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "'" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("'")
        return quoted
    }

    /// How a connection failure names the server: the socket file for a unix socket, host:port otherwise.
    func describeTarget(environment: [String: String]) -> String {
        let host = host ?? environment["PGHOST"] ?? "/var/run/postgresql"
        let port = port.map(String.init) ?? environment["PGPORT"] ?? "5432"
        if host.hasPrefix("/") || host.hasPrefix("@") {
            return "\(host)/.s.PGSQL.\(port)"
        }
        return "\(host):\(port)"
    }
}

extension ConnectionSettings {
    /// How libpq itself reads a conninfo string (PQconninfoParse): keyword → value for every keyword
    /// set. Lets tests prove that `conninfo`'s quoting means what it says.
    static func parsedByLibpq(_ conninfo: String) -> [String: String]? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var parsed: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { parsed[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return parsed
    }
}
