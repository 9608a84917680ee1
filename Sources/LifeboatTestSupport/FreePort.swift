import Foundation
import LifeboatCore

/// Picks a TCP port nobody listens on right now. Another process may take it before the server
/// does; that race is tolerable because test servers listen only on a private socket directory,
/// where the port merely names the socket file.
public enum FreePort {
    public static func pick() throws(LifeboatError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LifeboatError(.io, "unable to create a socket to find a free port: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0  // the kernel chooses
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LifeboatError(.io, "unable to bind 127.0.0.1:0 to find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
