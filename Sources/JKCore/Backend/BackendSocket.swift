import Glibc

/// Thin, non-trapping wrappers over the POSIX calls a backend connection needs. Every function
/// returns a result instead of throwing so the caller classifies failures (reference §8.7).
public enum BackendSocket {
    /// Outcome of an I/O call with a deadline.
    public enum IOResult: Equatable {
        /// Bytes transferred (0 on read = the peer closed).
        case done(Int)
        /// The deadline passed first.
        case timedOut
        /// The call failed with this errno.
        case failed(Int32)
    }

    /// Opens a TCP connection; `timeoutMs` <= 0 waits as long as the kernel does.
    /// Sets TCP_NODELAY, close-on-exec, and SO_KEEPALIVE / send-receive timeouts as asked.
    public static func connect(to address: BackendAddress, timeoutMs: Int, keepAlive: Bool,
                               socketTimeoutSeconds: Int, bufferSize: Int) -> (fd: Int32, errno: Int32) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return (-1, errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if keepAlive {
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        if bufferSize > 0 {
            var size = Int32(clamping: bufferSize)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if socketTimeoutSeconds > 0 {
            var timeout = timeval(tv_sec: socketTimeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        let error = connectWithTimeout(fd, address, timeoutMs)
        if error != 0 {
            close(fd)
            return (-1, error)
        }
        return (fd, 0)
    }

    private static func connectWithTimeout(_ fd: Int32, _ address: BackendAddress, _ timeoutMs: Int) -> Int32 {
        var storage = address.storage
        let flags = fcntl(fd, F_GETFL, 0)
        if timeoutMs > 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if result == 0 {
            if timeoutMs > 0 { _ = fcntl(fd, F_SETFL, flags) }
            return 0
        }
        let connectErrno = errno
        guard timeoutMs > 0, connectErrno == EINPROGRESS else { return connectErrno }
        switch waitFor(fd, events: Int16(POLLOUT), timeoutMs: timeoutMs) {
        case .done:
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            _ = fcntl(fd, F_SETFL, flags)
            return soError
        case .timedOut:
            return ETIMEDOUT
        case .failed(let error):
            return error
        }
    }

    /// Waits until `fd` is ready for `events` or `timeoutMs` passes (< 0: forever).
    public static func waitFor(_ fd: Int32, events: Int16, timeoutMs: Int) -> IOResult {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let ready = poll(&descriptor, 1, Int32(clamping: timeoutMs))
            if ready > 0 { return .done(Int(ready)) }
            if ready == 0 { return .timedOut }
            if errno != EINTR { return .failed(errno) }
        }
    }

    /// Sends every byte of `first` then `second` (gathered: one syscall in the common case)
    /// without SIGPIPE and without allocating.
    public static func sendAll(_ fd: Int32, _ first: UnsafeRawBufferPointer,
                               _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) -> IOResult {
        var parts = (first, second)
        var total = 0
        if second.count == 0, first.count > 0, let base = first.baseAddress {
            // One buffer (body packets): plain send, no message header to build. A partial send
            // continues below; a failed one is retried or reported there.
            let sent = send(fd, base, first.count, Int32(MSG_NOSIGNAL))
            if sent == first.count { return .done(sent) }
            if sent > 0 {
                total = sent
                parts.0 = UnsafeRawBufferPointer(rebasing: first[sent...])
            }
        }
        while parts.0.count + parts.1.count > 0 {
            var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: parts.0.baseAddress), iov_len: parts.0.count),
                           iovec(iov_base: UnsafeMutableRawPointer(mutating: parts.1.baseAddress), iov_len: parts.1.count))
            let sent = withUnsafeMutableBytes(of: &vectors) { raw -> Int in
                var message = msghdr()
                let base = raw.baseAddress?.assumingMemoryBound(to: iovec.self)
                // Skip an empty first part so the kernel sees only real data.
                message.msg_iov = parts.0.count == 0 ? base.map { $0 + 1 } : base
                message.msg_iovlen = parts.0.count == 0 ? 1 : (parts.1.count == 0 ? 1 : 2)
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .failed(errno)
            }
            total += sent
            let fromFirst = min(sent, parts.0.count)
            parts.0 = UnsafeRawBufferPointer(rebasing: parts.0[fromFirst...])
            let fromSecond = min(sent - fromFirst, parts.1.count)
            parts.1 = UnsafeRawBufferPointer(rebasing: parts.1[fromSecond...])
        }
        return .done(total)
    }

    /// Receives up to `buffer.count` bytes, waiting at most `timeoutMs` (<= 0: no extra limit
    /// beyond socket_timeout).
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int) -> IOResult {
        if timeoutMs > 0 {
            switch waitFor(fd, events: Int16(POLLIN), timeoutMs: timeoutMs) {
            case .done: break
            case .timedOut: return .timedOut
            case .failed(let error): return .failed(error)
            }
        }
        while true {
            let got = recv(fd, buffer.baseAddress, buffer.count, 0)
            if got >= 0 { return .done(got) }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .failed(errno)
        }
    }

    /// True when an idle pooled socket is still usable: no EOF and no unread stale data.
    public static func isIdleAndOpen(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let got = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// Closes a socket; with `abortive` the peer sees a reset (recovery_options bit 4).
    public static func close(_ fd: Int32, abortive: Bool = false) {
        if abortive {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        _ = Glibc.close(fd)
    }

    /// Milliseconds on the monotonic clock.
    public static func nowMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1000 &+ Int64(now.tv_nsec / 1_000_000)
    }

    /// Monotonic time in microseconds (for response-time metrics).
    public static func nowUs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000 &+ Int64(now.tv_nsec / 1000)
    }

    /// Sleeps for `ms` milliseconds.
    public static func sleepMs(_ ms: Int) {
        guard ms > 0 else { return }
        var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
