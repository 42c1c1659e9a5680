import Glibc

/// A resolved backend socket address (IPv4 or IPv6), resolved once at configuration time.
public struct BackendAddress: Sendable, CustomStringConvertible {
    /// Raw `sockaddr_storage` bytes.
    let storage: sockaddr_storage
    /// Length of the meaningful part of `storage`.
    let length: socklen_t
    /// Address family (AF_INET or AF_INET6).
    var family: Int32 { Int32(storage.ss_family) }
    /// `host:port` as configured, for logs.
    public let description: String

    /// Resolves `host` and `port` with getaddrinfo; with `preferIPv6` the first IPv6 result wins,
    /// otherwise the first result. Nil when the name does not resolve (mod_jk then disables the
    /// worker rather than failing startup).
    public static func resolve(host: String, port: Int, preferIPv6: Bool) -> BackendAddress? {
        guard port > 0, port <= 65535 else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var chosen: UnsafeMutablePointer<addrinfo>? = first
        if preferIPv6 {
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if entry.pointee.ai_family == AF_INET6 {
                    chosen = entry
                    break
                }
                cursor = entry.pointee.ai_next
            }
        }
        guard let entry = chosen, let address = entry.pointee.ai_addr else { return nil }
        var storage = sockaddr_storage()
        let length = min(Int(entry.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: length))
        }
        return BackendAddress(storage: storage, length: socklen_t(length), description: "\(host):\(port)")
    }
}
