import CJKCore

/// The response side of one AJP exchange as a sans-I/O state machine (reference §1.7–§1.9).
///
/// The driver sends FORWARD_REQUEST (and the first body packet), then feeds every decoded
/// container message to `received(_:)` and performs the returned action. The machine enforces
/// the protocol: exactly one SEND_HEADERS, body chunks before headers start a default 200
/// response, an empty chunk before any response is a stale flush and ignored, GET_BODY_CHUNK
/// is answered from the request body bookkeeping, and END_RESPONSE ends it.
public struct AJPExchange {
    private enum State {
        case awaitingHeaders
        case streaming
        case finished
    }

    /// What the driver must do next.
    public enum Action {
        /// Send up to `maxLength` further body bytes in one body packet (an empty packet when
        /// the body is exhausted).
        case sendBody(maxLength: Int)
        /// Start the client response with these values.
        case startResponse(status: Int, reason: UnsafeRawBufferPointer?, headers: AJPHeaderList)
        /// Start a default "200" response (body arrived before headers), then write the bytes.
        case startDefaultResponseAndWrite(UnsafeRawBufferPointer)
        /// Write body bytes to the client.
        case write(UnsafeRawBufferPointer)
        /// Flush the client connection.
        case flush
        /// Nothing to do (stale flush before the response).
        case none
        /// The response is complete; reuse the connection only if `reuse`.
        case finish(reuse: Bool)
    }

    private var state: State = .awaitingHeaders
    /// True once any message arrived: before that, a non-empty body chunk is a stale leftover.
    private var receivedAny = false
    /// True once SEND_HEADERS or a body chunk started the client response.
    private var started = false
    /// Largest body payload one packet carries: `max_packet_size - 6`.
    public let maxBodyChunk: Int
    /// Body bytes the client still has to deliver (nil: chunked, unknown).
    public private(set) var bodyRemaining: UInt64?
    /// True once the client body is exhausted and the empty packet may be sent.
    public private(set) var bodyExhausted: Bool
    /// True once the container pulled body data beyond the first packet: the body can no
    /// longer be replayed, so the request cannot be retried (reference §8.4).
    public private(set) var bodyStreamed = false
    /// True once body data beyond the first packet was read from the client and sent: only then is
    /// the body really gone (the first packet is kept for replay).
    public private(set) var bodyBeyondFirstChunkSent = false
    /// True once anything was handed to the client.
    public var responseStarted: Bool { started }
    /// True after END_RESPONSE.
    public var isFinished: Bool { if case .finished = state { return true } else { return false } }

    /// Starts an exchange for a request whose body mode is `body` and of which `firstChunk`
    /// bytes were already sent (or will be sent) right after FORWARD_REQUEST.
    public init(body: RequestBodyMode, firstChunk: Int, maxPacketSize: Int) {
        maxBodyChunk = maxPacketSize - 6
        switch body {
        case .none:
            bodyRemaining = 0
            bodyExhausted = true
        case .contentLength(let length):
            let left = length - min(length, UInt64(max(firstChunk, 0)))
            bodyRemaining = left
            bodyExhausted = left == 0
        case .chunked:
            bodyRemaining = nil
            bodyExhausted = false
        }
    }

    /// Records that `count` body bytes were sent in answer to `.sendBody`; `count` 0 with a
    /// chunked body means the client body ended.
    public mutating func sentBody(_ count: Int) {
        if count > 0 { bodyBeyondFirstChunkSent = true }
        if let remaining = bodyRemaining {
            let left = remaining - min(remaining, UInt64(max(count, 0)))
            bodyRemaining = left
            if left == 0 { bodyExhausted = true }
        } else if count == 0 {
            bodyExhausted = true
        }
    }

    /// Feeds one message from the container.
    public mutating func received(_ message: AJPResponseMessage) throws(AJPError) -> Action {
        // The common case first: a body chunk while the response streams.
        if case .streaming = state, case .sendBodyChunk(let bytes) = message {
            receivedAny = true
            return bytes.count == 0 ? .flush : .write(bytes)
        }
        let first = !receivedAny
        receivedAny = true
        switch (state, message) {
        case (.finished, _):
            throw AJPError(.unexpectedMessage, "message after END_RESPONSE")
        case (_, .cpong):
            throw AJPError(.unexpectedMessage, "CPONG during a request")
        case (_, .getBodyChunk(let requested)):
            bodyStreamed = true
            if bodyExhausted { return .sendBody(maxLength: 0) }
            // With a known length mod_jk sends min(requested, packet room, what is left); for a
            // chunked body it sends as much as fits, whatever was requested (reference §1.8).
            guard let remaining = bodyRemaining else { return .sendBody(maxLength: maxBodyChunk) }
            let length = min(max(requested, 0), maxBodyChunk)
            return .sendBody(maxLength: Int(min(UInt64(length), remaining)))
        case (.awaitingHeaders, .sendHeaders(let status, let reason, let headers)):
            state = .streaming
            started = true
            return .startResponse(status: status, reason: reason, headers: headers)
        case (.streaming, .sendHeaders):
            throw AJPError(.duplicateHeaders)
        case (.awaitingHeaders, .sendBodyChunk(let bytes)):
            if bytes.count == 0 { return .none }
            // Right after FORWARD_REQUEST a non-empty chunk can only be left over from an earlier
            // response on this connection: a protocol error, as in mod_jk (reference §1.9).
            if first { throw AJPError(.unexpectedMessage, "body chunk before any other message") }
            state = .streaming
            started = true
            return .startDefaultResponseAndWrite(bytes)
        case (.streaming, .sendBodyChunk(let bytes)):
            return bytes.count == 0 ? .flush : .write(bytes)
        case (_, .endResponse(let reuse)):
            state = .finished
            return .finish(reuse: reuse)
        }
    }
}
