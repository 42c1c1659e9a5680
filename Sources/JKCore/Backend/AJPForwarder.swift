import CJKCore

/// Per-request choices that rule extensions, the environment and the balancer add to a worker's
/// own settings.
public struct ForwardOptions {
    /// Effective reply timeout in ms (JK_REPLY_TIMEOUT > rule extension > worker); 0: none.
    public var replyTimeoutMs: Int
    /// Effective fail_on_status list.
    public var failOnStatus: [Int]
    /// JkOptions bits of the request.
    public var jkOptions: UInt32
    /// Rule extension use_server_errors: statuses at or above it get httpd's own error page.
    public var useServerErrors: Int?
    /// A header added to the backend's response headers (the balancer's set_session_cookie).
    public var extraResponseHeader: sjk_pair_t?
    /// A refused or timed-out connect ends the attempts on this worker at once (the balancer's
    /// `connect_errors_global`): the next member is tried instead of the same dead one again.
    public var connectFailureEndsAttempts = false

    /// Creates the options.
    public init(replyTimeoutMs: Int, failOnStatus: [Int], jkOptions: UInt32, useServerErrors: Int? = nil) {
        self.replyTimeoutMs = replyTimeoutMs
        self.failOnStatus = failOnStatus
        self.jkOptions = jkOptions
        self.useServerErrors = useServerErrors
    }
}

/// The result of forwarding a request to one worker.
public enum ForwardResult: Equatable {
    /// The backend's response was relayed to the client completely.
    case completed(status: Int)
    /// use_server_errors: the backend answered `status` ≥ the threshold; its body was discarded
    /// and httpd must produce its own error page (only WWW-Authenticate was passed on).
    case serverErrorPage(status: Int)
    /// The request could not be served by this worker; `recoverable` says whether another
    /// member may still try it (nothing reached the client and the body can be replayed).
    case failed(AJPFailure, recoverable: Bool)
    /// The client side failed: a request too large for one packet (413), a body read error
    /// (400) or a write to a client that went away.
    case clientError(status: Int, responseStarted: Bool)
    /// The response had started when the backend failed: the client connection must be aborted.
    case abortedMidResponse(AJPFailure)
}

/// Runs the AJP exchange of one request on one worker, with mod_jk's retries (reference §8.4):
/// encode once, keep the first body packet for replay, and on a recoverable failure sleep
/// retry_interval and try again on another connection.
public struct AJPForwarder {
    /// The worker.
    public let endpoint: AJPEndpoint
    /// The server's callbacks.
    public let host: HostIO

    /// Creates a forwarder.
    public init(endpoint: AJPEndpoint, host: HostIO) {
        self.endpoint = endpoint
        self.host = host
    }

    /// Forwards `request` with its own scratch buffers and first body packet (plain workers).
    public func forward(_ request: sjk_request_t, context: AJPForwardContext, options: ForwardOptions) -> ForwardResult {
        var stats = ForwardStats()
        return forward(request, context: context, options: options, stats: &stats)
    }

    /// Forwards `request` with its own scratch buffers, counting bytes and reply timeouts into `stats`.
    public func forward(_ request: sjk_request_t, context: AJPForwardContext, options: ForwardOptions,
                        stats: inout ForwardStats) -> ForwardResult {
        RequestScratch.with(packetSize: endpoint.settings.maxPacketSize, request: request) { scratch in
            guard scratch.readFirstBody(host: host) else { return .clientError(status: 400, responseStarted: false) }
            return forward(request, context: context, options: options, scratch: scratch, stats: &stats)
        }
    }

    /// Forwards `request` using `scratch`, whose first body packet was already read (and is
    /// replayed on every retry, also by other balancer members). Counts bytes and reply timeouts
    /// into `stats`.
    public func forward(_ request: sjk_request_t, context: AJPForwardContext, options: ForwardOptions,
                        scratch: RequestScratch, stats: inout ForwardStats) -> ForwardResult {
        let body = scratch.body
        let requestBuffer = UnsafeMutableRawBufferPointer(
            rebasing: scratch.requestBuffer[0..<min(scratch.requestBuffer.count, endpoint.settings.maxPacketSize)])
        let bodyBuffer = scratch.bodyBuffer
        var writer = AJPMessageWriter(buffer: requestBuffer)
        let forwardPacket: UnsafeRawBufferPointer
        do {
            forwardPacket = try AJPForwardRequestEncoder.encode(request, body: body, context: context, into: &writer)
        } catch {
            host.log(SJK_LOG_ERROR, "Creating AJP message failed without recovery - check max_packet_size "
                     + "(request does not fit into \(endpoint.settings.maxPacketSize) bytes) for worker \(endpoint.name)")
            return .clientError(status: 413, responseStarted: false)
        }
        let firstBody = scratch.firstBody
        let firstChunk = scratch.firstChunk
        var lastFailure = AJPFailure.disabled
        let attempts = max(endpoint.settings.retries, 1)
        let metrics = WorkerMetrics(endpoint.slot)
        stats.startUs = BackendSocket.nowUs()
        stats.firstByteUs = 0
        for attempt in 0..<attempts {
            if attempt > 0 {
                BackendSocket.sleepMs(endpoint.settings.retryIntervalMs)
                metrics.countRetry()
            }
            let result = attemptOnce(request, body: body, firstChunk: firstChunk,
                                     packets: (forwardPacket, firstBody), options: options,
                                     bodyBuffer: bodyBuffer, stats: &stats)
            switch result {
            case .failed(let failure, let recoverable):
                lastFailure = failure
                metrics.countFailure(failure)
                if failure == .replyTimeout { stats.replyTimeouts &+= 1 }
                host.log(SJK_LOG_INFO, "worker \(endpoint.name) attempt \(attempt + 1)/\(attempts): \(failure)")
                if !recoverable { return result }
                if options.connectFailureEndsAttempts, case .connectFailed(let error) = failure, error != 0 {
                    return .failed(failure, recoverable: true)
                }
            default:
                metrics.finished(result, stats: stats)
                return result
            }
        }
        host.log(SJK_LOG_ERROR, "worker \(endpoint.name) failed after \(attempts) attempts: \(lastFailure)")
        return .failed(lastFailure, recoverable: isRecoverable(lastFailure, method: request.method))
    }

    /// One attempt on one connection.
    private func attemptOnce(_ request: sjk_request_t, body: RequestBodyMode, firstChunk: Int,
                             packets: (UnsafeRawBufferPointer, UnsafeRawBufferPointer), options: ForwardOptions,
                             bodyBuffer: UnsafeMutableRawBufferPointer, stats: inout ForwardStats) -> ForwardResult {
        let connection: AJPConnection
        switch openConnection() {
        case .opened(let opened): connection = opened
        case .failed(let failure): return .failed(failure, recoverable: true)
        }
        if let failure = sendWithPrepostPing(connection, packets: packets) {
            discard(connection)
            return .failed(failure, recoverable: true)
        }
        stats.bytesSent &+= UInt64(packets.0.count + packets.1.count)
        var exchange = AJPExchange(body: body, firstChunk: firstChunk, maxPacketSize: endpoint.settings.maxPacketSize)
        var clientStarted = false
        let result = runExchange(connection, &exchange, clientStarted: &clientStarted,
                                 request: request, options: options, bodyBuffer: bodyBuffer, stats: &stats)
        switch result {
        case .completed, .serverErrorPage:
            break
        case .failed(let failure, _):
            discard(connection)
            // A response still held by the shim (nothing passed to the network) is withdrawn, so the
            // request can be retried or fail over as if it had not started (mod_jk retries too).
            if clientStarted, !host.resetResponse() { return .abortedMidResponse(failure) }
            let bodyLost = endpoint.settings.replayWholeBody ? exchange.bodyBeyondFirstChunkSent : exchange.bodyStreamed
            let recoverable = !bodyLost && isRecoverable(failure, method: request.method)
            return .failed(failure, recoverable: recoverable)
        case .clientError, .abortedMidResponse:
            discard(connection, abortive: endpoint.settings.recoveryOptions & RecoveryOption.closeOnClientError != 0)
        }
        return result
    }

    /// mod_jk's recovery decision for a failure before anything reached the client.
    private func isRecoverable(_ failure: AJPFailure, method: sjk_str_t) -> Bool {
        guard failure.requestWasSent else { return true }
        if case .failOnStatus = failure { return true }
        let bits = endpoint.settings.recoveryOptions
        guard bits & RecoveryOption.noRecoveryAfterRequest != 0 else { return true }
        guard let name = method.bytes else { return false }
        if bits & RecoveryOption.alwaysRecoverHead != 0 { return ByteCompare.equal(name, "HEAD") }
        if bits & RecoveryOption.alwaysRecoverGet != 0 { return ByteCompare.equal(name, "GET") }
        return false
    }

    /// The read/act loop of one exchange.
    private func runExchange(_ connection: AJPConnection, _ exchange: inout AJPExchange, clientStarted: inout Bool,
                             request: sjk_request_t, options: ForwardOptions,
                             bodyBuffer: UnsafeMutableRawBufferPointer, stats: inout ForwardStats) -> ForwardResult {
        let flushPackets = options.jkOptions & UInt32(SJK_OPT_FLUSH_PACKETS) != 0
        let flushHeader = options.jkOptions & UInt32(SJK_OPT_FLUSH_HEADER) != 0
        var status = 200
        var serverErrorPage = false
        while true {
            let payload: UnsafeRawBufferPointer
            switch connection.readPacket(timeoutMs: options.replyTimeoutMs) {
            case .payload(let bytes):
                payload = bytes
                stats.bytesReceived &+= UInt64(bytes.count &+ 4)
                if stats.firstByteUs == 0 { stats.firstByteUs = BackendSocket.nowUs() }
            case .timedOut: return .failed(.replyTimeout, recoverable: true)
            case .closed(let error): return .failed(.backendClosed(error), recoverable: true)
            case .invalid(let error): return .failed(.protocolError(error), recoverable: true)
            }
            let action: AJPExchange.Action
            do {
                action = try exchange.received(try AJPResponseMessage.decode(payload))
            } catch {
                return .failed(.malformed(error), recoverable: true)
            }
            switch action {
            case .sendBody(let maxLength):
                guard let sent = sendBodyPacket(connection, maxLength: maxLength, bodyBuffer: bodyBuffer) else {
                    return .clientError(status: 400, responseStarted: clientStarted)
                }
                guard sent >= 0 else { return .failed(.sendFailed(0), recoverable: false) }
                stats.bytesSent &+= UInt64(sent == 0 ? 4 : sent &+ 6)
                exchange.sentBody(sent)
            case .startResponse(let code, let reason, let headers):
                if options.failOnStatus.contains(where: { $0 == code || $0 == -code }) {
                    return .failed(.failOnStatus(code), recoverable: true)
                }
                status = code
                if let threshold = options.useServerErrors, code >= threshold {
                    // Hand httpd only the status and WWW-Authenticate; discard the body.
                    serverErrorPage = true
                    _ = host.startResponse(status: code, reason: nil, headers: headers, onlyNamed: "WWW-AUTHENTICATE")
                    continue
                }
                clientStarted = true
                guard host.startResponse(status: code, reason: reason, headers: headers,
                                         extra: options.extraResponseHeader) else {
                    return .clientError(status: code, responseStarted: true)
                }
                if flushHeader, !host.flush() { return .clientError(status: code, responseStarted: true) }
            case .startDefaultResponseAndWrite(let bytes):
                clientStarted = true
                guard host.startResponse(status: 200, reason: nil), host.write(bytes) else {
                    return .clientError(status: 200, responseStarted: true)
                }
            case .write where serverErrorPage, .flush where serverErrorPage:
                continue
            case .write(let bytes):
                guard host.write(bytes) else { return .clientError(status: status, responseStarted: true) }
                if flushPackets, !host.flush() { return .clientError(status: status, responseStarted: true) }
            case .flush:
                guard host.flush() else { return .clientError(status: status, responseStarted: true) }
            case .none:
                continue
            case .finish(let reuse) where serverErrorPage:
                finishConnection(connection, reuse: reuse && options.jkOptions & UInt32(SJK_OPT_DISABLE_REUSE) == 0)
                return .serverErrorPage(status: status)
            case .finish(let reuse):
                if !clientStarted, !host.startResponse(status: 200, reason: nil) {
                    return .clientError(status: 200, responseStarted: true)
                }
                finishConnection(connection, reuse: reuse && options.jkOptions & UInt32(SJK_OPT_DISABLE_REUSE) == 0)
                return .completed(status: status)
            }
        }
    }

    /// Reads up to `maxLength` body bytes from the client and sends them as one body packet.
    /// Returns the data length sent, nil on a client read error, -1 on a backend send error.
    private func sendBodyPacket(_ connection: AJPConnection, maxLength: Int,
                                bodyBuffer: UnsafeMutableRawBufferPointer) -> Int? {
        let capacity = min(maxLength, bodyBuffer.count - 6)
        var got = 0
        if capacity > 0 {
            let data = UnsafeMutableRawBufferPointer(rebasing: bodyBuffer[6..<(6 + capacity)])
            guard let read = host.readBody(into: data) else {
                // Tell the container the body ended so the stream stays in step, then fail.
                _ = connection.send(UnsafeRawBufferPointer(start: Self.emptyBodyPacket.utf8Start, count: 4))
                return nil
            }
            got = read
        }
        let packet: UnsafeRawBufferPointer
        if got == 0 {
            packet = UnsafeRawBufferPointer(start: Self.emptyBodyPacket.utf8Start, count: 4)
        } else {
            AJPBodyPacket.writeHeader(into: bodyBuffer, dataLength: got)
            packet = UnsafeRawBufferPointer(rebasing: bodyBuffer[0..<(6 + got)])
        }
        guard case .done = connection.send(packet) else { return -1 }
        return got
    }

    /// `12 34 00 00`: the empty body packet that ends a request body.
    static let emptyBodyPacket: StaticString = "\u{12}\u{34}\0\0"

    // MARK: connections

    /// A connection to send on, or why there is none. Not `Result<AJPConnection, AJPFailure>`: that
    /// generic type's metadata was built at run time, by every httpd child on its first request
    /// (about 70,000 instructions and 16 KiB of private pages per child in prefork).
    private enum OpenedConnection {
        case opened(AJPConnection)
        case failed(AJPFailure)
    }

    private func openConnection() -> OpenedConnection {
        let state = endpoint.state.current
        guard let address = state.address else { return .failed(.disabled) }
        let settings = state.settings
        var slot = endpoint.pool.acquire(waitingUpTo: settings.acquireTimeoutMs)
        while true {
            switch slot {
            case .exhausted:
                return .failed(.poolExhausted)
            case .pooled(let connection):
                if !connection.hasBufferedBytes, BackendSocket.isIdleAndOpen(connection.fd) {
                    return .opened(connection)
                }
                // Keep the slot: take the next idle connection, or open a new one in its place.
                connection.close()
                slot = endpoint.pool.nextIdle().map { .pooled($0) } ?? .empty
            case .empty:
                let (fd, error) = BackendSocket.connect(to: address, timeoutMs: settings.connectTimeoutMs,
                                                        keepAlive: settings.keepAlive,
                                                        socketTimeoutSeconds: settings.socketTimeoutSeconds,
                                                        bufferSize: settings.socketBuffer)
                guard fd >= 0 else {
                    endpoint.pool.release(nil)
                    return .failed(.connectFailed(error))
                }
                let connection = AJPConnection(fd: fd, maxPacketSize: settings.maxPacketSize, counter: endpoint.slot,
                                               addressGeneration: state.addressGeneration)
                if settings.connectPingTimeoutMs > 0, !connection.ping(timeoutMs: settings.connectPingTimeoutMs) {
                    discard(connection)
                    return .failed(.connectFailed(0))
                }
                connection.justPinged = settings.connectPingTimeoutMs > 0
                return .opened(connection)
            }
        }
    }

    private func sendWithPrepostPing(_ connection: AJPConnection,
                                     packets: (UnsafeRawBufferPointer, UnsafeRawBufferPointer)) -> AJPFailure? {
        let timeout = endpoint.settings.prepostPingTimeoutMs
        if timeout > 0, !connection.justPinged, !connection.ping(timeoutMs: timeout) {
            return .pingFailed
        }
        connection.justPinged = false
        switch connection.send(packets.0, packets.1) {
        case .done: return nil
        case .timedOut: return .sendFailed(0)
        case .failed(let error): return .sendFailed(error)
        }
    }

    private func finishConnection(_ connection: AJPConnection, reuse: Bool) {
        if reuse && !connection.hasBufferedBytes
            && connection.addressGeneration == endpoint.state.current.addressGeneration {
            connection.lastUsedMs = BackendSocket.nowMs()
            endpoint.pool.release(connection)
        } else {
            discard(connection)
        }
    }

    private func discard(_ connection: AJPConnection, abortive: Bool = false) {
        connection.close(abortive: abortive)
        endpoint.pool.release(nil)
    }
}
