import Glibc

/// One accepted TCP connection with blocking whole-buffer reads and writes. Owned by exactly one
/// connection thread; not shared.
final class TCPSocket {
    /// The outcome of `read(exactly:)`.
    enum ReadResult {
        /// All requested bytes.
        case complete([UInt8])
        /// The peer closed (or the read failed) after `partial` bytes.
        case ended(partial: [UInt8], error: Int32?)
    }

    /// The file descriptor; -1 once closed.
    private(set) var descriptor: Int32

    /// Takes ownership of an accepted descriptor and disables Nagle (AJP replies are small
    /// packets written one by one).
    init(descriptor: Int32) {
        self.descriptor = descriptor
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close()
    }

    /// Reads exactly `count` bytes, or whatever arrived before end of stream or an error.
    func read(exactly count: Int) -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                Glibc.recv(descriptor, raw.baseAddress! + filled, count - filled, 0)
            }
            if result > 0 {
                filled += result
            } else if result == 0 {
                return .ended(partial: Array(buffer[..<filled]), error: nil)
            } else if errno != EINTR {
                return .ended(partial: Array(buffer[..<filled]), error: errno)
            }
        }
        return .complete(buffer)
    }

    /// Writes all of `bytes`; false when the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result > 0 {
                sent += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// Closes with SO_LINGER 0, so the kernel sends RST instead of FIN.
    func reset() {
        guard descriptor >= 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    /// Closes normally (FIN). Harmless when already closed.
    func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
