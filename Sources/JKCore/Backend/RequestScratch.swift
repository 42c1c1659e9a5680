import CJKCore

/// Bytes and reply timeouts of one request's attempts, for the balancer (Traffic method,
/// max_reply_timeouts) and statistics.
public struct ForwardStats: Equatable, Sendable {
    /// Bytes sent to backends (packets, headers included).
    public var bytesSent: UInt64 = 0
    /// Bytes received from backends.
    public var bytesReceived: UInt64 = 0
    /// Attempts that ended in a reply timeout.
    public var replyTimeouts = 0
    /// Monotonic µs when forwarding to the current worker started (0: not timed).
    public var startUs: Int64 = 0
    /// Monotonic µs when its first packet arrived (0: none yet).
    public var firstByteUs: Int64 = 0

    /// Nothing counted yet.
    public init() {}
}

/// The per-request buffers of an AJP exchange — one for FORWARD_REQUEST, one for body packets —
/// and the first body packet, which is read from the client once and replayed on every retry and
/// to every balancer member tried (reference §8.4, §9.7). The buffers are borrowed from the
/// thread's reusable block (`ThreadBuffer`) for the request.
public struct RequestScratch {
    /// Room for the FORWARD_REQUEST (the largest max_packet_size of the workers that may serve).
    public let requestBuffer: UnsafeMutableRawBufferPointer
    /// Room for body packets; holds the first body packet until the backend asks for more.
    public let bodyBuffer: UnsafeMutableRawBufferPointer
    /// How the request body travels.
    public let body: RequestBodyMode
    /// The first body packet (`12 34 <n+2> <n>` + data), empty when there is none.
    public private(set) var firstBody = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Data bytes in the first body packet.
    public private(set) var firstChunk = 0
    private let firstPacketSize: Int

    /// Runs `body` with buffers for packets of up to `packetSize` bytes. `firstPacketSize`
    /// (default: `packetSize`) bounds the first body packet, so it fits every member that may
    /// receive it.
    public static func with<R>(packetSize: Int, firstPacketSize: Int? = nil, request: sjk_request_t,
                               _ body: (inout RequestScratch) -> R) -> R {
        let size = max(packetSize, 8192)
        return ThreadBuffer.with(byteCount: size * 2) { storage in
            var scratch = RequestScratch(requestBuffer: UnsafeMutableRawBufferPointer(rebasing: storage[0..<size]),
                                         bodyBuffer: UnsafeMutableRawBufferPointer(rebasing: storage[size...]),
                                         body: RequestBodyMode.of(request),
                                         firstPacketSize: min(firstPacketSize ?? size, size))
            return body(&scratch)
        }
    }

    /// Bytes `init(storage:…)` needs for packets of up to `packetSize` bytes.
    static func byteCount(packetSize: Int) -> Int {
        max(packetSize, 8192) * 2
    }

    /// Scratch in `storage` (at least `byteCount(packetSize:)` bytes, which the caller owns for the
    /// request), for callers that cannot use `with`'s closure cheaply.
    init(storage: UnsafeMutableRawBufferPointer, packetSize: Int, firstPacketSize: Int?, request: sjk_request_t) {
        let size = max(packetSize, 8192)
        self.init(requestBuffer: UnsafeMutableRawBufferPointer(rebasing: storage[0..<size]),
                  bodyBuffer: UnsafeMutableRawBufferPointer(rebasing: storage[size..<(2 * size)]),
                  body: RequestBodyMode.of(request), firstPacketSize: min(firstPacketSize ?? size, size))
    }

    private init(requestBuffer: UnsafeMutableRawBufferPointer, bodyBuffer: UnsafeMutableRawBufferPointer,
                 body: RequestBodyMode, firstPacketSize: Int) {
        self.requestBuffer = requestBuffer
        self.bodyBuffer = bodyBuffer
        self.body = body
        self.firstPacketSize = firstPacketSize
    }

    /// Reads the first body packet when the request has a Content-Length (at most
    /// `max_packet_size - 6` bytes). Returns false when the client body cannot be read or ends
    /// early (→ 400).
    public mutating func readFirstBody(host: HostIO) -> Bool {
        guard case .contentLength(let length) = body else { return true }
        let want = Int(min(UInt64(max(firstPacketSize - 6, 0)), length))
        let data = UnsafeMutableRawBufferPointer(rebasing: bodyBuffer[6..<(6 + want)])
        guard let got = host.readBodyFully(into: data), got == want else {
            host.log(Int(SJK_LOG_INFO), "reading the request body from the client failed")
            return false
        }
        firstChunk = got
        AJPBodyPacket.writeHeader(into: bodyBuffer, dataLength: got)
        firstBody = UnsafeRawBufferPointer(rebasing: bodyBuffer[0..<(6 + got)])
        return true
    }
}
