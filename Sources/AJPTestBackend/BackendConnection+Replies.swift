import Glibc

/// The replies and faults of every `Script`. All scripts except `/fault/reset` and
/// `/fault/hang` first read the whole request body (see `readRequestBody`).
extension BackendConnection {
    /// Runs `script` for `request`.
    func perform(_ script: Script, request: ForwardRequest, contentLength: Int?) {
        switch script {
        case .fault(.reset):
            finish("fault/reset", reset: true)
            return
        case .fault(.hang):
            hang(contentLength: contentLength)
            return
        default:
            break
        }
        guard let body = readRequestBody(contentLength: contentLength) else { return }
        let method = request.methodName ?? []
        let uri = request.requestURI ?? []
        switch script {
        case .normal:
            replyNormally(uri: uri, method: method)
        case .fast:
            send(context.fastReply)
        case .echo:
            reply(status: 200, body: Array("len=\(body.length) fnv1a64=\(body.hash.hexDigits)\n".utf8), method: method)
        case .status(let code, let reason):
            reply(status: code, reason: reason,
                  body: textLine("node=\(options.name) status=\(code)"), method: method)
        case .empty(let code):
            send(AJPResponse.sendHeaders(status: code, reason: digits(code), headers: [nodeHeader])
                 + AJPResponse.endResponse(reuse: true))
        case .size(let count):
            replyWithPattern(count: count, method: method)
        case .delay(let milliseconds):
            sleep(milliseconds: milliseconds)
            replyNormally(uri: uri, method: method)
        case .reuse0:
            replyNormally(uri: uri, method: method, reuse: false)
            finish("reuse0")
        case .flush:
            send(AJPResponse.sendHeaders(status: 200, reason: digits(200), headers: standardHeaders)
                 + AJPResponse.bodyChunk(textLine("node=\(options.name) part=1")))
            send(AJPResponse.bodyChunk([UInt8]()))
            send(AJPResponse.bodyChunk(textLine("node=\(options.name) part=2"))
                 + AJPResponse.endResponse(reuse: true))
        case .location:
            let location = Array("http://127.0.0.1/redirected/\(options.name)".utf8)
            send(AJPResponse.sendHeaders(status: 302, reason: digits(302),
                                         headers: [(.coded(AJPResponseHeaderCode.location), location), nodeHeader])
                 + AJPResponse.endResponse(reuse: true))
        case .cookie:
            let headers = standardHeaders + [
                (.coded(AJPResponseHeaderCode.setCookie), Array("a=1; Path=/".utf8)),
                (.coded(AJPResponseHeaderCode.setCookie), Array("b=2; Path=/".utf8)),
            ]
            reply(status: 200, headers: headers, body: normalBody(uri: uri), method: method)
        case .headers:
            reply(status: 200, body: headerEcho(request), method: method)
        case .crlf:
            let headers = standardHeaders + [
                (.string("X-Split"), Array("a\r\nSet-Cookie: split=1".utf8)),
                (.string("X-Lf"), Array("b\nX-Injected: 1".utf8)),
                (.string("X-Nul"), Array("c\u{0}d".utf8)),
            ]
            reply(status: 200, headers: headers, body: normalBody(uri: uri), method: method)
        case .ctype:
            let headers: [(AJPResponseHeaderName, [UInt8])] = [
                (.coded(AJPResponseHeaderCode.contentType), Array("Text/HTML;Charset=UTF-8".utf8)),
                (.string("X-Mixed"), Array("Keep-This-Case".utf8)), nodeHeader,
            ]
            reply(status: 200, headers: headers, body: normalBody(uri: uri), method: method)
        case .fault(let fault):
            performFault(fault, uri: uri)
        }
    }

    /// Sends a broken or partial reply.
    private func performFault(_ fault: Script.Fault, uri: [UInt8]) {
        let headers = AJPResponse.sendHeaders(status: 200, reason: digits(200), headers: standardHeaders)
        let chunk = AJPResponse.bodyChunk(normalBody(uri: uri))
        let end = AJPResponse.endResponse(reuse: true)
        switch fault {
        case .reset, .hang:
            preconditionFailure("handled before the body is read")
        case .close:
            finish("fault/close")
        case .bodyclose:
            if send(context.getBodyChunk), readBodyPacket() != nil {
                finish("fault/bodyclose")
            }
        case .badmagic:
            var broken = headers
            broken[0] = 0x12
            broken[1] = 0x34
            send(broken + chunk + end)
        case .oversized:
            send([0x41, 0x42, 0xFD, 0xE8] + headers[4..<12])
        case .truncated:
            if send([0x41, 0x42, 0x00, 0x64] + headers[4..<14]) {
                finish("fault/truncated")
            }
        case .unknowntype:
            send([0x41, 0x42, 0x00, 0x01, 0x42] + headers + chunk + end)
        case .badheadercode:
            send(AJPResponse.sendHeaders(status: 200, reason: digits(200),
                                         headers: [(.coded(0xA0FF), Array("x".utf8)), nodeHeader])
                 + chunk + end)
        case .twoheaders:
            send(headers + headers + chunk + end)
        case .chunktoolarge:
            var builder = AJPPacketBuilder()
            builder.appendByte(AJPWire.sendBodyChunk)
            builder.appendInt(100)
            builder.appendBytes("abc".utf8)
            builder.appendByte(0)
            send(headers + builder.bytes + end)
        case .midbody:
            if send(headers + chunk) {
                finish("fault/midbody")
            }
        case .midchunk:
            if send(headers + chunk.prefix(chunk.count / 2)) {
                finish("fault/midchunk")
            }
        case .trickle:
            for byte in headers + chunk + chunk + chunk + end {
                guard send([byte]) else { return }
                sleep(milliseconds: 2)
            }
        case .stall:
            if send(Array(headers.prefix(7))) {
                hang(contentLength: nil)
            }
        case .manyheaders:
            let many = (0..<500).map { (AJPResponseHeaderName.string("X-H\($0)"), Array("v".utf8)) }
            send(AJPResponse.sendHeaders(status: 200, reason: digits(200), headers: standardHeaders + many)
                 + chunk + end)
        case .headercount:
            var builder = AJPPacketBuilder()
            builder.appendByte(AJPWire.sendHeaders)
            builder.appendInt(200)
            builder.appendString(digits(200))
            builder.appendInt(0xFFFF)
            builder.appendInt(AJPResponseHeaderCode.contentType)
            builder.appendString(Array("text/plain".utf8))
            send(builder.bytes + chunk + end)
        }
    }

    // MARK: - Reply helpers

    /// `Content-Type: text/plain` (coded) and `X-Node: <name>`.
    private var standardHeaders: [(AJPResponseHeaderName, [UInt8])] {
        [(.coded(AJPResponseHeaderCode.contentType), Array("text/plain".utf8)), nodeHeader]
    }

    /// `X-Node: <name>`.
    private var nodeHeader: (AJPResponseHeaderName, [UInt8]) {
        (.string("X-Node"), context.nameBytes)
    }

    /// `node=<name> uri=<req_uri>\n`.
    private func normalBody(uri: [UInt8]) -> [UInt8] {
        Array("node=".utf8) + context.nameBytes + Array(" uri=".utf8) + uri + [0x0A]
    }

    /// The Tomcat-like default reply.
    private func replyNormally(uri: [UInt8], method: [UInt8], reuse: Bool = true) {
        reply(status: 200, body: normalBody(uri: uri), method: method, reuse: reuse)
    }

    /// SEND_HEADERS, the body in chunks of at most packetSize − 8 bytes (none for HEAD, 1xx,
    /// 204, 205 and 304, like Tomcat), END_RESPONSE.
    private func reply(status: UInt16, reason: [UInt8]? = nil,
                       headers: [(AJPResponseHeaderName, [UInt8])]? = nil,
                       body: [UInt8], method: [UInt8], reuse: Bool = true) {
        var packets = AJPResponse.sendHeaders(status: status, reason: reason ?? digits(status),
                                              headers: headers ?? standardHeaders)
        if mayHaveBody(status: status, method: method) {
            let chunkSize = options.packetSize - 8
            var start = 0
            while start < body.count {
                let end = min(start + chunkSize, body.count)
                packets += AJPResponse.bodyChunk(body[start..<end])
                start = end
            }
        }
        send(packets + AJPResponse.endResponse(reuse: reuse))
    }

    /// `count` bytes of the `a`...`z` pattern in chunks of packetSize − 8, written as they are built.
    private func replyWithPattern(count: Int, method: [UInt8]) {
        guard send(AJPResponse.sendHeaders(status: 200, reason: digits(200), headers: standardHeaders)) else { return }
        if mayHaveBody(status: 200, method: method) {
            let chunkSize = options.packetSize - 8
            let pattern = (0..<(chunkSize + 26)).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var offset = 0
            while offset < count {
                let length = min(chunkSize, count - offset)
                let phase = offset % 26
                guard send(AJPResponse.bodyChunk(pattern[phase..<phase + length])) else { return }
                offset += length
            }
        }
        send(AJPResponse.endResponse(reuse: true))
    }

    /// The `/headers` body: `name: value` per request header (coded names in lower case), then
    /// `@name: value` per attribute in wire order.
    private func headerEcho(_ request: ForwardRequest) -> [UInt8] {
        var body: [UInt8] = []
        for header in request.headers {
            body += header.displayName + Array(": ".utf8) + (header.value ?? Array("(null)".utf8)) + [0x0A]
        }
        for attribute in request.attributes {
            body += attribute.echoLine + [0x0A]
        }
        return body
    }

    /// Tomcat never sends a body for HEAD, 1xx, 204, 205 or 304.
    private func mayHaveBody(status: UInt16, method: [UInt8]) -> Bool {
        !(method == Array("HEAD".utf8) || (100...199).contains(status) || [204, 205, 304].contains(status))
    }

    /// The status as its decimal digits, Tomcat's reason phrase.
    private func digits(_ status: UInt16) -> [UInt8] {
        Array(String(status).utf8)
    }

    /// `text` plus a newline.
    private func textLine(_ text: String) -> [UInt8] {
        Array((text + "\n").utf8)
    }

    /// Sleeps for `milliseconds`.
    private func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
