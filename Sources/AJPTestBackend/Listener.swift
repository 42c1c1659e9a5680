import Glibc

/// The listening socket: binds one IPv4 loopback address, accepts forever and runs every
/// connection on its own detached thread (mod_jk keeps persistent connections, so a connection
/// can live for the whole test).
struct Listener {
    /// Why the listening socket could not be set up.
    struct SetupError: Error, CustomStringConvertible {
        /// Human-readable reason, including `strerror(errno)`.
        var description: String
    }

    /// The listening descriptor.
    let descriptor: Int32
    /// The bound port (the kernel's choice when 0 was asked for).
    let port: UInt16

    /// Binds and listens on `host:port`; `host` must be an IPv4 address in 127.0.0.0/8.
    init(host: String, port: UInt16) throws(SetupError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw SetupError(description: "not an IPv4 address: \(host)")
        }
        guard UInt32(bigEndian: address.sin_addr.s_addr) >> 24 == 127 else {
            throw SetupError(description: "refusing to bind non-loopback address \(host)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket: \(Listener.lastError)") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let reason = Listener.lastError
            _ = close(fd)
            throw SetupError(description: "bind \(host):\(port): \(reason)")
        }
        guard listen(fd, 511) == 0 else {
            let reason = Listener.lastError
            _ = close(fd)
            throw SetupError(description: "listen: \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.descriptor = fd
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    /// Accepts connections forever, numbering them from 1, and hands each to `handle` on a new
    /// detached thread together with the peer's "address:port".
    func acceptForever(_ handle: @escaping @Sendable (_ descriptor: Int32, _ id: Int, _ peer: String) -> Void) -> Never {
        var nextID = 1
        while true {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(descriptor, $0, &length)
                }
            }
            if fd < 0 {
                if errno != EINTR && errno != ECONNABORTED {
                    printError("accept: \(Listener.lastError)")
                    usleep(10_000)
                }
                continue
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let id = nextID
            nextID += 1
            let peerText = Listener.describe(peer)
            if !spawnDetachedThread({ handle(fd, id, peerText) }) {
                printError("cannot start a thread for connection \(id); closing it")
                _ = close(fd)
            }
        }
    }

    /// "a.b.c.d:port" of an IPv4 socket address.
    private static func describe(_ address: sockaddr_in) -> String {
        var copy = address.sin_addr
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        _ = inet_ntop(AF_INET, &copy, &text, socklen_t(text.count))
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(UInt16(bigEndian: address.sin_port))"
    }

    /// `strerror(errno)`.
    static var lastError: String { String(cString: strerror(errno)) }
}

/// Starts `body` on a new detached POSIX thread; false when the thread could not be created.
func spawnDetachedThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, 1 << 20)
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, context)
    if result != 0 {
        Unmanaged<Box>.fromOpaque(context).release()
        return false
    }
    return true
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    let line = Array("ajp-test-backend: \(message)\n".utf8)
    _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// Writes `line` and a newline to standard output, unbuffered.
func printLine(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
}
