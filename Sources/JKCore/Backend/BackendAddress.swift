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

    /// The numeric address and port (`127.0.0.10:8009`, `[::1]:8009`), as the status worker shows it.
    public var numeric: String {
        var copy = storage
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let result = withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                            NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard result == 0 else { return description }
        let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let port = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }

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
