import Glibc

/// One accepted connection, served on its own thread like a Tomcat AJP processor: wait for a
/// packet; CPING → CPONG; FORWARD_REQUEST → run the request's script; anything else → close.
/// After END_RESPONSE(reuse=1) the loop waits for the next exchange on the same socket.
///
/// Every received packet is recorded before it is acted on. Only this connection's thread
/// touches the instance.
final class BackendConnection {
    /// Connection number, from 1 in accept order.
    let id: Int
    /// The socket.
    let socket: TCPSocket
    /// Shared options and recorder.
    let context: BackendContext
    /// Number of packets received so far (the `seq` of the last recorded packet).
    private var sequence = 0
    /// True once the socket is closed and the close event recorded.
    private(set) var isFinished = false

    /// Wraps an accepted descriptor.
    init(id: Int, descriptor: Int32, context: BackendContext) {
        self.id = id
        self.socket = TCPSocket(descriptor: descriptor)
        self.context = context
    }

    /// The options.
    var options: BackendOptions { context.options }

    /// Serves the connection until either side closes it.
    func run(peer: String) {
        recordEvent("accept", [("peer", .string(peer))])
        if options.mode == .refuse {
            finish("refused (mode refuse)")
            return
        }
        while let packet = readPacket() {
            let prefix = packet.count > AJPWire.headerLength ? packet[AJPWire.headerLength] : nil
            switch prefix {
            case AJPWire.cpingRequest?:
                recordPacket(packet, type: "cping")
                if options.mode == .reset {
                    finish("mode reset", reset: true)
                } else if options.mode == .cpingGarbage {
                    if send(Array("GARBAGE\n".utf8)) { finish("mode cpinggarbage") }
                } else if options.mode != .hang && !send(AJPResponse.cpong) {
                    return
                }
            case AJPWire.forwardRequest?:
                serveRequest(packet)
            default:
                let type = prefix.map { AJPWire.packetTypeName(prefix: $0) } ?? "empty"
                recordPacket(packet, type: type, error: "unexpected packet between requests")
                finish(options.mode == .reset ? "mode reset" : "unexpected \(type) packet", reset: options.mode == .reset)
            }
            if isFinished { return }
        }
    }

    // MARK: - Packets

    /// Reads one whole `12 34` packet. On end of stream, bad magic, an over-long declared length
    /// or a short read it records what happened, closes the connection and returns nil.
    func readPacket() -> [UInt8]? {
        guard !isFinished else { return nil }
        let header: [UInt8]
        switch socket.read(exactly: AJPWire.headerLength) {
        case .complete(let bytes):
            header = bytes
        case .ended(let partial, let error):
            if !partial.isEmpty {
                recordEvent("truncated_packet", [("hex", .hex(partial))])
            }
            finish(error.map { "read error: \(String(cString: strerror($0)))" } ?? "peer closed", byPeer: error == nil)
            return nil
        }
        let magic = UInt16(header[0]) << 8 | UInt16(header[1])
        let length = Int(header[2]) << 8 | Int(header[3])
        guard magic == AJPWire.requestMagic else {
            recordEvent("bad_magic", [("hex", .hex(header))])
            finish("bad magic")
            return nil
        }
        guard length <= options.packetSize - AJPWire.headerLength else {
            recordEvent("oversized_packet", [("declared", .int(length)), ("hex", .hex(header))])
            replyErrorAndClose(400, reason: "oversized packet")
            return nil
        }
        switch socket.read(exactly: length) {
        case .complete(let payload):
            return header + payload
        case .ended(let partial, let error):
            recordEvent("truncated_packet", [("declared", .int(length)), ("hex", .hex(header + partial))])
            finish(error.map { "read error: \(String(cString: strerror($0)))" } ?? "peer closed mid-packet",
                   byPeer: error == nil)
            return nil
        }
    }

    /// Writes `bytes`; on failure records and closes, returning false.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        guard !isFinished else { return false }
        if socket.write(bytes) { return true }
        finish("write failed: \(String(cString: strerror(errno)))")
        return false
    }

    /// Answers `status` (reason = digits, no body) with END_RESPONSE(reuse=0) and closes, the way
    /// Tomcat ends a request it cannot process. In hang and reset modes nothing is sent.
    func replyErrorAndClose(_ status: UInt16, reason: String) {
        if options.mode == .hang || options.mode == .reset {
            finish("\(reason) (mode \(options.mode == .hang ? "hang" : "reset"): no reply)", reset: options.mode == .reset)
            return
        }
        let reply = AJPResponse.sendHeaders(status: status, reason: Array(String(status).utf8), headers: [])
            + AJPResponse.endResponse(reuse: false)
        if send(reply) {
            finish("answered \(status): \(reason)")
        }
    }

    /// Closes the socket (with RST when `reset`) and records the close once.
    func finish(_ reason: String, reset: Bool = false, byPeer: Bool = false) {
        guard !isFinished else { return }
        isFinished = true
        if reset { socket.reset() } else { socket.close() }
        recordEvent("close", [("by", .string(byPeer ? "peer" : "backend")), ("reason", .string(reason))])
    }

    // MARK: - Recording

    /// Records a received packet: `{"conn","seq","type","hex","decoded"[,"error"]}`.
    func recordPacket(_ packet: [UInt8], type: String, decoded: @autoclosure () -> JSONValue = .null,
                      error: String? = nil) {
        sequence += 1
        guard context.isRecording else { return }
        var members: [(String, JSONValue)] = [
            ("conn", .int(id)), ("seq", .int(sequence)), ("type", .string(type)),
            ("hex", .hex(packet)), ("decoded", decoded()),
        ]
        if let error { members.append(("error", .string(error))) }
        context.recorder.record(.object(members))
    }

    /// Records a connection event: `{"event":name,"conn":N,...}`.
    func recordEvent(_ name: String, _ extra: [(String, JSONValue)] = []) {
        guard context.isRecording else { return }
        context.recorder.record(.object([("event", .string(name)), ("conn", .int(id))] + extra))
    }
}
