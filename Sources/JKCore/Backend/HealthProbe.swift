import CJKCore

/// The I/O of one active health check (`HealthCheck` holds the state changes): a CPing on a fresh
/// connection and, with `health_check_uri`, a GET of that path over the same connection whose
/// status must be `health_check_status`. Every wait is bounded; the connection is closed afterwards.
enum HealthProbe {
    /// What to ask a member.
    struct Plan {
        /// `health_check_uri` as bytes, or nil for a CPing only.
        var uri: [UInt8]?
        /// `health_check_status`.
        var expectedStatus: Int
    }

    /// The longest wait for a connect, a CPONG or a reply packet, in ms.
    static let maximumWaitMs = 2000
    /// The most reply packets read for one probe request (a runaway reply ends the probe as failed).
    static let maximumPackets = 4096

    /// Runs the probe against `endpoint`; true when the member answered as required.
    static func run(_ endpoint: AJPEndpoint, plan: Plan) -> Bool {
        let state = endpoint.state.current
        guard let address = state.address else { return false }
        let settings = state.settings
        let connectTimeout = settings.connectTimeoutMs > 0 ? min(settings.connectTimeoutMs, maximumWaitMs) : maximumWaitMs
        let (fd, _) = BackendSocket.connect(to: address, timeoutMs: connectTimeout, keepAlive: false,
                                            socketTimeoutSeconds: 0, bufferSize: 0)
        guard fd >= 0 else { return false }
        let connection = AJPConnection(fd: fd, maxPacketSize: settings.maxPacketSize)
        defer { connection.close() }
        let wait = settings.pingTimeoutMs > 0 ? min(settings.pingTimeoutMs, maximumWaitMs) : maximumWaitMs
        guard connection.ping(timeoutMs: wait) else { return false }
        guard let uri = plan.uri else { return true }
        return get(uri, over: connection, settings: settings, expectedStatus: plan.expectedStatus, waitMs: wait)
    }

    /// Sends `GET uri` as a FORWARD_REQUEST and reads the reply to its END_RESPONSE.
    private static func get(_ uri: [UInt8], over connection: AJPConnection, settings: AJPEndpoint.Settings,
                            expectedStatus: Int, waitMs: Int) -> Bool {
        var buffer = [UInt8](repeating: 0, count: settings.maxPacketSize)
        let encoded: Int? = buffer.withUnsafeMutableBytes { raw in
            withProbeRequest(uri: uri) { request in
                withSecret(settings.secret) { secret in
                    var writer = AJPMessageWriter(buffer: raw)
                    let context = AJPForwardContext(uri: .verbatim(request.uri.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0)),
                                                    secret: secret, route: nil, activation: "ACT")
                    return (try? AJPForwardRequestEncoder.encode(request, body: .none, context: context,
                                                                 into: &writer))?.count
                }
            }
        }
        guard let length = encoded else { return false }
        let sent = buffer.withUnsafeBytes { connection.send(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        guard case .done = sent else { return false }
        var status: Int?
        for _ in 0..<maximumPackets {
            guard case .payload(let payload) = connection.readPacket(timeoutMs: waitMs),
                  let message = try? AJPResponseMessage.decode(payload) else { return false }
            switch message {
            case .sendHeaders(let code, _, _):
                status = code
            case .getBodyChunk:
                let empty = AJPForwarder.emptyBodyPacket
                guard case .done = connection.send(UnsafeRawBufferPointer(start: empty.utf8Start, count: 4)) else {
                    return false
                }
            case .endResponse:
                return status == expectedStatus
            case .sendBodyChunk:
                continue
            case .cpong:
                return false
            }
        }
        return false
    }

    /// A minimal request for `uri` as the shim would describe it: GET, HTTP/1.1, from and to
    /// 127.0.0.1, `Host: localhost`, `User-Agent: SwiftJK-health-check`.
    private static func withProbeRequest<R>(uri: [UInt8], _ body: (sjk_request_t) -> R) -> R {
        let texts: [[UInt8]] = [Array("GET".utf8), Array("HTTP/1.1".utf8), uri, Array("127.0.0.1".utf8),
                                Array("0".utf8), Array("localhost".utf8), Array("Host".utf8),
                                Array("User-Agent".utf8), Array("SwiftJK-health-check".utf8)]
        let storage = texts.flatMap { $0 }
        return storage.withUnsafeBufferPointer { all in
            var offset = 0
            var strings: [sjk_str_t] = []
            for text in texts {
                let start = all.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
                strings.append(sjk_str_t(ptr: start, len: text.count))
                offset += text.count
            }
            let headers = [sjk_pair_t(name: strings[6], value: strings[5]),
                           sjk_pair_t(name: strings[7], value: strings[8])]
            return headers.withUnsafeBufferPointer { pairs in
                var request = sjk_request_t()
                request.method = strings[0]
                request.protocol = strings[1]
                request.uri = strings[2]
                request.unparsed_uri = strings[2]
                request.remote_addr = strings[3]
                request.remote_port = strings[4]
                request.server_name = strings[5]
                request.server_port = 80
                request.local_addr = strings[3]
                request.headers = pairs.baseAddress
                request.header_count = pairs.count
                request.reply_timeout_ms = -1
                return body(request)
            }
        }
    }
}
