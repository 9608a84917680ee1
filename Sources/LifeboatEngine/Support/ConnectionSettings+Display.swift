import LifeboatPostgres

extension ConnectionSettings {
    /// "host:port" or "socket dir:port" for messages; never the password.
    var displayTarget: String {
        "\(host ?? "default host"):\(port.map(String.init) ?? "default port")"
    }
}
