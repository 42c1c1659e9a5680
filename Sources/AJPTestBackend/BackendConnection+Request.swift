/// Request intake: decoding the FORWARD_REQUEST, the checks Tomcat makes before a servlet runs,
/// and reading the request body with Tomcat's rules (reference §1.8).
extension BackendConnection {
    /// Serves one exchange that started with the FORWARD_REQUEST `packet`. On return the
    /// connection is either idle again (after END_RESPONSE reuse=1) or finished.
    func serveRequest(_ packet: [UInt8]) {
        let decoded: ForwardRequest?
        do {
            let request = try ForwardRequest(packet: packet)
            recordPacket(packet, type: "forward_request", decoded: request.json, error: request.tomcatRejection)
            decoded = request
        } catch {
            recordPacket(packet, type: "forward_request", error: error.description)
            decoded = nil
        }
        switch options.mode {
        case .reset:
            finish("mode reset", reset: true)
            return
        case .hang:
            hang(contentLength: decoded?.contentLengthValues.first.flatMap { $0.flatMap(parseContentLength) })
            return
        default:
            break
        }
        guard let request = decoded else {
            replyErrorAndClose(500, reason: "undecodable FORWARD_REQUEST")
            return
        }
        let rejection = request.tomcatRejection
        let lengths = request.contentLengthValues
        let contentLength: Int?
        if lengths.count > 1 {
            replyErrorAndClose(400, reason: "more than one content-length header")
            return
        } else if let value = lengths.first {
            guard let length = value.flatMap(parseContentLength) else {
                replyErrorAndClose(400, reason: "invalid content-length")
                return
            }
            contentLength = length
        } else {
            contentLength = nil
        }
        if let rejection {
            discardFirstBodyPacket(contentLength: contentLength)
            replyErrorAndClose(500, reason: rejection)
            return
        }
        if let secret = options.secret, request.stringAttribute(AJPWire.secretCode) != Array(secret.utf8) {
            discardFirstBodyPacket(contentLength: contentLength)
            replyErrorAndClose(403, reason: "secret mismatch")
            return
        }
        let script: Script
        switch options.mode {
        case .fast: script = .fast
        case .status(let code): script = .status(code: code, reason: Array(String(code).utf8))
        default: script = Script(uri: request.requestURI ?? [])
        }
        perform(script, request: request, contentLength: contentLength)
    }

    /// Never answers: reads the unsolicited first body packet (if any) and then records whatever
    /// arrives until the peer closes.
    func hang(contentLength: Int?) {
        discardFirstBodyPacket(contentLength: contentLength)
        while let packet = readPacket() {
            let prefix = packet.count > AJPWire.headerLength ? packet[AJPWire.headerLength] : nil
            recordPacket(packet, type: prefix.map { AJPWire.packetTypeName(prefix: $0) } ?? "empty",
                         error: "received while hanging")
        }
    }

    /// Length and FNV-1a hash of a request body; the bytes themselves are not kept.
    struct BodySummary {
        /// Bytes received.
        var length = 0
        /// Hash of the bytes received.
        var hash = FNV1a64()
    }

    /// Reads the whole request body like Tomcat: with a content-length > 0 the first body packet
    /// arrives unsolicited and the rest is pulled with GET_BODY_CHUNK(packetSize − 6) until
    /// content-length bytes or an empty packet arrived; without a content-length header
    /// (chunked) everything is pulled until an empty packet. Nil when the connection ended.
    func readRequestBody(contentLength: Int?) -> BodySummary? {
        var summary = BodySummary()
        if let contentLength {
            var first = true
            while summary.length < contentLength {
                if !first && !send(context.getBodyChunk) { return nil }
                first = false
                guard let data = readBodyPacket() else { return nil }
                if data.isEmpty { break }
                summary.length += data.count
                summary.hash.update(data)
            }
        } else {
            while true {
                guard send(context.getBodyChunk), let data = readBodyPacket() else { return nil }
                if data.isEmpty { break }
                summary.length += data.count
                summary.hash.update(data)
            }
        }
        return summary
    }

    /// Reads the first body packet when one is due (content-length > 0), as Tomcat does before
    /// ending a response, so the connection stays in step.
    func discardFirstBodyPacket(contentLength: Int?) {
        if let contentLength, contentLength > 0 {
            _ = readBodyPacket()
        }
    }

    /// Reads and records one request body packet (`12 34 <n+2> <n> <n bytes>`, or the empty
    /// packet `12 34 00 00`) and returns its data (empty = end of body). A malformed packet is
    /// recorded with an error and closes the connection (nil).
    func readBodyPacket() -> ArraySlice<UInt8>? {
        guard let packet = readPacket() else { return nil }
        var reader = AJPPayloadReader(packet: packet)
        if reader.remaining == 0 {
            recordPacket(packet, type: "body", decoded: .object([("length", .int(0))]))
            return []
        }
        do {
            let length = try reader.readInt()
            let data = try reader.readBytes(Int(length))
            var decoded: [(String, JSONValue)] = [("length", .int(Int(length)))]
            if reader.remaining > 0 { decoded.append(("trailing_bytes", .int(reader.remaining))) }
            recordPacket(packet, type: "body", decoded: .object(decoded))
            return data
        } catch {
            recordPacket(packet, type: "body", error: error.description)
            finish("malformed body packet")
            return nil
        }
    }
}

/// A content-length value as Tomcat accepts it: decimal digits only, no sign, fits in Int.
func parseContentLength(_ value: [UInt8]) -> Int? {
    guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
}
