import CJKCore

/// The server's callbacks for one request, wrapped so the rest of the core never touches the C
/// function pointers directly. Every call reports success as a Bool.
public struct HostIO {
    private let host: sjk_host_t

    /// Wraps the callback table the shim passed to `sjk_service`.
    public init(_ host: sjk_host_t) {
        self.host = host
    }

    /// Reads up to `buffer.count` body bytes; nil on a client read error, 0 at the end.
    public func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let read = host.read_body, let base = buffer.baseAddress else { return 0 }
        var got = 0
        guard read(host.ctx, base.assumingMemoryBound(to: UInt8.self), buffer.count, &got) == 0 else { return nil }
        return min(got, buffer.count)
    }

    /// Reads until `buffer` is full or the body ends; nil on a read error.
    public func readBodyFully(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var total = 0
        while total < buffer.count {
            guard let got = readBody(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...])) else { return nil }
            if got == 0 { break }
            total += got
        }
        return total
    }

    /// Starts the response with `headers` (plus `extra` when given). With `onlyNamed`, only the
    /// headers of that name (upper-case, compared ignoring case) are passed on.
    public func startResponse(status: Int, reason: UnsafeRawBufferPointer?, headers: AJPHeaderList = .empty,
                              extra: sjk_pair_t? = nil, onlyNamed: StaticString? = nil) -> Bool {
        guard let start = host.start_response else { return false }
        // A pair is 32 bytes: up to 32 headers stay on the stack.
        return withUnsafeTemporaryAllocation(of: sjk_pair_t.self, capacity: headers.count &+ 1) { pairs in
            var count = 0
            for header in headers where count < pairs.count {
                if let onlyNamed {
                    guard let name = header.name.bytes, ByteCompare.equalIgnoringASCIICase(name, onlyNamed) else { continue }
                }
                pairs.initializeElement(at: count, to: header)
                count &+= 1
            }
            if let extra, count < pairs.count {
                pairs.initializeElement(at: count, to: extra)
                count &+= 1
            }
            return start(host.ctx, Int32(clamping: status), sjk_str_t(reason), pairs.baseAddress, count) == 0
        }
    }

    /// Starts the response with exactly `pairs` as headers.
    public func startResponse(status: Int, pairs: UnsafeBufferPointer<sjk_pair_t>) -> Bool {
        guard let start = host.start_response else { return false }
        return start(host.ctx, Int32(clamping: status), sjk_str_t.absent, pairs.baseAddress, pairs.count) == 0
    }

    /// Writes body bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0 else { return true }
        guard let write = host.write, let base = bytes.baseAddress else { return false }
        return write(host.ctx, base.assumingMemoryBound(to: UInt8.self), bytes.count) == 0
    }

    /// Flushes the client connection.
    public func flush() -> Bool {
        guard let flush = host.flush else { return false }
        return flush(host.ctx) == 0
    }

    /// Withdraws a started response that has not reached the network; true when withdrawn.
    public func resetResponse() -> Bool {
        guard let reset = host.reset_response else { return false }
        return reset(host.ctx) == 0
    }

    /// Logs a message about this request.
    public func log(_ level: Int, _ message: String) {
        guard let log = host.log else { return }
        message.withCString { log(host.ctx, Int32(truncatingIfNeeded: level), $0) }
    }
}
