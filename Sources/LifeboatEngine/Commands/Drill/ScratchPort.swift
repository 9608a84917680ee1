#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore

/// A TCP port nobody listens on now. The scratch server listens on no TCP address at all, so the
/// port only names its socket file; a free one keeps it from looking like any real server's.
enum ScratchPort {
    static func pick() throws(LifeboatError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LifeboatError(.io, "unable to create a socket to find a free port: \(LocalFS.errorText())") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw LifeboatError(.io, "unable to find a free port: \(LocalFS.errorText())") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
