import CJKCore

/// One TCP connection to a container, with a receive buffer that yields whole AJP frames.
///
/// Owned by exactly one request at a time (reference §1.1); returned to its pool only after a
/// clean END_RESPONSE (or CPONG) so a desynchronised stream is never reused (CVE-2008-5519).
public final class AJPConnection {
    /// The socket descriptor.
    public let fd: Int32
    private let decoder: AJPFrameDecoder
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Monotonic ms of the last completed exchange (for connection_pool_timeout).
    public var lastUsedMs: Int64
    /// True right after a connect CPing, so no prepost CPing is needed for this request.
    public var justPinged = false

    /// The worker slot whose `connected` gauge counts this connection (nil: not counted).
    private var counter: UnsafeMutablePointer<sjk_slot_t>?
    /// The endpoint's address generation when the connection was opened: a connection to an
    /// address that an edit has since replaced is not pooled again.
    public let addressGeneration: UInt32

    /// Wraps a connected socket; frames up to `maxPacketSize` bytes are accepted. With `counter`,
    /// the connection is counted in that worker slot's `connected`/`max_connected` until `close`.
    public init(fd: Int32, maxPacketSize: Int, counter: UnsafeMutablePointer<sjk_slot_t>? = nil,
                addressGeneration: UInt32 = 0) {
        self.fd = fd
        self.decoder = AJPFrameDecoder(maxPacketSize: maxPacketSize)
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxPacketSize * 2, alignment: 8)
        self.lastUsedMs = BackendSocket.nowMs()
        self.counter = counter
        self.addressGeneration = addressGeneration
        if let counter {
            let now = sjk_atomic_add_i32(&counter.pointee.connected, 1)
            sjk_atomic_max_i32(&counter.pointee.max_connected, now)
        }
    }

    /// Closes the socket (with RST when `abortive`) and stops counting it.
    public func close(abortive: Bool = false) {
        BackendSocket.close(fd, abortive: abortive)
        if let counter {
            _ = sjk_atomic_decrement_floor0_i32(&counter.pointee.connected)
            self.counter = nil
        }
    }

    deinit {
        buffer.deallocate()
    }

    /// Outcome of reading one packet.
    public enum ReadResult {
        /// A whole payload (valid until the next read).
        case payload(UnsafeRawBufferPointer)
        /// No packet within the reply timeout.
        case timedOut
        /// The peer closed or the read failed.
        case closed(errno: Int32)
        /// The bytes are not AJP (bad magic, oversized or empty packet).
        case invalid(AJPError)
    }

    /// Reads the next packet, waiting at most `timeoutMs` for each read (<= 0: no limit other
    /// than socket_timeout).
    public func readPacket(timeoutMs: Int) -> ReadResult {
        while true {
            do {
                let available = UnsafeRawBufferPointer(start: buffer.baseAddress.map { $0 + start }, count: end &- start)
                if let frame = try decoder.nextFrame(available) {
                    let payload = UnsafeRawBufferPointer(start: available.baseAddress.map { $0 + frame.payload.lowerBound },
                                                         count: frame.payload.count)
                    start &+= frame.consumed
                    if start == end {
                        start = 0
                        end = 0
                    }
                    return .payload(payload)
                }
            } catch {
                return .invalid(error)
            }
            if start > 0 && end == buffer.count || buffer.count - end < decoder.maxPacketSize - (end - start) {
                compact()
            }
            let space = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
            switch BackendSocket.receive(fd, into: space, timeoutMs: timeoutMs) {
            case .done(0):
                return .closed(errno: 0)
            case .done(let count):
                end += count
            case .timedOut:
                return .timedOut
            case .failed(let error):
                return .closed(errno: error)
            }
        }
    }

    /// True when no received bytes are waiting to be decoded.
    public var hasBufferedBytes: Bool { end > start }

    private func compact() {
        let count = end - start
        if count > 0, let base = buffer.baseAddress {
            base.copyMemory(from: base + start, byteCount: count)
        }
        start = 0
        end = count
    }

    /// CPING `12 34 00 01 0A`, then waits up to `timeoutMs` for CPONG (reference §8.2).
    public func ping(timeoutMs: Int) -> Bool {
        let cping: StaticString = "\u{12}\u{34}\0\u{01}\n"
        guard case .done = send(UnsafeRawBufferPointer(start: cping.utf8Start, count: 5)) else { return false }
        guard case .payload(let payload) = readPacket(timeoutMs: timeoutMs),
              case .cpong? = try? AJPResponseMessage.decode(payload) else { return false }
        return true
    }

    /// Sends whole packets (one or two) in one gathered write.
    public func send(_ first: UnsafeRawBufferPointer,
                     _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) -> BackendSocket.IOResult {
        BackendSocket.sendAll(fd, first, second)
    }
}
