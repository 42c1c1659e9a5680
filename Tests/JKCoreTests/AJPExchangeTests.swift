import Testing

@testable import JKCore

/// Builds container messages whose byte views live as long as the arena, and feeds them to an
/// exchange, returning owned summaries of the actions. No sockets: the state machine alone.
private struct ExchangeDriver {
    let arena = ByteArena()
    var exchange: AJPExchange

    init(body: RequestBodyMode = .none, firstChunk: Int = 0, maxPacketSize: Int = 8192) {
        exchange = AJPExchange(body: body, firstChunk: firstChunk, maxPacketSize: maxPacketSize)
    }

    /// Feeds one message.
    mutating func receive(_ message: AJPResponseMessage) throws -> ActionSummary {
        ActionSummary(try exchange.received(message))
    }

    /// Decodes and feeds captured packets in order.
    mutating func receive(_ vectors: [GoldenVector]) throws -> [ActionSummary] {
        var actions: [ActionSummary] = []
        for vector in vectors {
            let packet = arena.buffer(vector.bytes)
            actions.append(try receive(try AJPResponseMessage.decode(UnsafeRawBufferPointer(rebasing: packet[4...]))))
        }
        return actions
    }

    /// SEND_HEADERS with `status`, reason = the digits (as Tomcat sends it), no headers.
    func headers(_ status: Int = 200) -> AJPResponseMessage {
        .sendHeaders(status: status, reason: arena.buffer(String(status)), headers: .empty)
    }

    /// SEND_BODY_CHUNK carrying `text` (empty: a flush).
    func chunk(_ text: String) -> AJPResponseMessage {
        .sendBodyChunk(arena.buffer(text))
    }
}

/// GET_BODY_CHUNK as Tomcat sends it at packetSize 8192.
private var getBodyChunk: AJPResponseMessage { .getBodyChunk(requested: 8186) }

@Suite("AJPExchange")
struct AJPExchangeTests {
    // MARK: - Whole responses captured from Tomcat

    @Test func headersThenBodyThenEndResponse() throws {
        var driver = ExchangeDriver()
        #expect(!driver.exchange.responseStarted)
        let actions = try driver.receive(GoldenVectors.Tomcat.staticExchange)
        #expect(actions == [
            .startResponse(status: 200, reason: "200", headers: [
                HeaderLine("Accept-Ranges", "bytes"), HeaderLine("ETag", "W/\"18-1795777201642\""),
                HeaderLine("Last-Modified", "Fri, 27 Nov 2026 11:00:01 GMT"), HeaderLine("Content-Type", "text/plain"),
                HeaderLine("Content-Length", "18"),
            ]),
            .write(ascii("static hello file\n")),
            .finish(reuse: true),
        ])
        #expect(driver.exchange.isFinished)
        #expect(driver.exchange.responseStarted)
        #expect(!driver.exchange.bodyStreamed)
    }

    @Test func headersWithoutBodyThenEndResponse() throws {
        var driver = ExchangeDriver()
        let actions = try driver.receive(GoldenVectors.Tomcat.redirectExchange)
        #expect(actions.count == 2)
        guard case .startResponse(302, "302", let headers) = actions.first else {
            Issue.record("expected a 302 start, got \(actions)")
            return
        }
        #expect(headers.first == HeaderLine("Location", "/index.jsp?from=redirect"))
        #expect(actions.last == .finish(reuse: true))
    }

    @Test func chunkedUploadIsPulledUntilTheClientBodyEnds() throws {
        // Tomcat's echo exchange for the T31 body `hello-chunked` (13 bytes).
        var driver = ExchangeDriver(body: .chunked)
        #expect(!driver.exchange.bodyExhausted)
        #expect(driver.exchange.bodyRemaining == nil)
        #expect(try driver.receive([GoldenVectors.Tomcat.echoGetBodyChunk]) == [.sendBody(maxLength: 8186)])
        #expect(driver.exchange.bodyStreamed)
        driver.exchange.sentBody(13)
        #expect(!driver.exchange.bodyExhausted)
        #expect(try driver.receive([GoldenVectors.Tomcat.echoGetBodyChunkAgain]) == [.sendBody(maxLength: 8186)])
        driver.exchange.sentBody(0)   // the client body ended: the empty packet went out
        #expect(driver.exchange.bodyExhausted)
        let rest = try driver.receive([GoldenVectors.Tomcat.echoHeaders, GoldenVectors.Tomcat.echoBody,
                                       GoldenVectors.Tomcat.echoEnd])
        #expect(rest.count == 3)
        #expect(rest[1] == .write(ascii(
            "length=13 sha256=8d9fb419edde4ae8d6940766689781b47294da38fd43e51282abf659d5a3528c\n")))
        #expect(rest[2] == .finish(reuse: true))
    }

    // MARK: - GET_BODY_CHUNK bookkeeping

    @Test func contentLengthBodyIsServedInPacketsOfAtMostMaxPacketSizeMinusSix() throws {
        // T32: CL 20000, the first 8186 bytes went out unsolicited; then 8186 and 3628 on demand.
        var driver = ExchangeDriver(body: .contentLength(20000), firstChunk: 8186)
        #expect(driver.exchange.maxBodyChunk == 8186)
        #expect(driver.exchange.bodyRemaining == 11814)
        #expect(!driver.exchange.bodyStreamed)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 8186))
        #expect(driver.exchange.bodyStreamed)
        driver.exchange.sentBody(8186)
        #expect(driver.exchange.bodyRemaining == 3628)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 3628))
        driver.exchange.sentBody(3628)
        #expect(driver.exchange.bodyRemaining == 0)
        #expect(driver.exchange.bodyExhausted)
        // Nothing left: a further request is answered with the empty packet.
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 0))
    }

    @Test func requestedLengthIsHonouredAndClampedToThePacketSize() throws {
        var driver = ExchangeDriver(body: .contentLength(100_000), firstChunk: 8186)
        #expect(try driver.receive(.getBodyChunk(requested: 100)) == .sendBody(maxLength: 100))
        #expect(try driver.receive(.getBodyChunk(requested: 0xFFFF)) == .sendBody(maxLength: 8186))
        var large = ExchangeDriver(body: .contentLength(1_000_000), firstChunk: 65530, maxPacketSize: 65536)
        #expect(large.exchange.maxBodyChunk == 65530)
        #expect(try large.receive(.getBodyChunk(requested: 0xFFFF)) == .sendBody(maxLength: 65530))
    }

    @Test func smallBodySentWithTheRequestIsAlreadyExhausted() throws {
        // T30: `a=1&b=2` went out whole right after the FORWARD_REQUEST.
        var driver = ExchangeDriver(body: .contentLength(7), firstChunk: 7)
        #expect(driver.exchange.bodyRemaining == 0)
        #expect(driver.exchange.bodyExhausted)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 0))
    }

    @Test func wholeBodyInTheFirstPacketStaysReplayableAfterTheEmptyPacket() throws {
        // Tomcat asks once more after content-length bytes; only the empty packet goes out.
        var driver = ExchangeDriver(body: .contentLength(2048), firstChunk: 2048)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 0))
        driver.exchange.sentBody(0)
        #expect(driver.exchange.bodyStreamed)
        #expect(!driver.exchange.bodyBeyondFirstChunkSent)
    }

    @Test func bodyDataBeyondTheFirstPacketEndsReplay() throws {
        var driver = ExchangeDriver(body: .contentLength(20000), firstChunk: 8186)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 8186))
        #expect(!driver.exchange.bodyBeyondFirstChunkSent)
        driver.exchange.sentBody(8186)
        #expect(driver.exchange.bodyBeyondFirstChunkSent)
    }

    @Test func requestWithoutBodyAnswersWithTheEmptyPacketAndIsNoLongerReplayable() throws {
        var driver = ExchangeDriver(body: .none)
        #expect(driver.exchange.bodyExhausted)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 0))
        // mod_jk marks the request unrecoverable on any GET_BODY_CHUNK (ajp_get_reply).
        #expect(driver.exchange.bodyStreamed)
    }

    @Test func clientDeliveringLessThanAskedLeavesTheRestOutstanding() throws {
        var driver = ExchangeDriver(body: .contentLength(20000), firstChunk: 8186)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 8186))
        driver.exchange.sentBody(1000)
        #expect(driver.exchange.bodyRemaining == 10814)
        #expect(!driver.exchange.bodyExhausted)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 8186))
    }

    @Test func firstChunkLargerThanTheBodyLeavesNothing() {
        let exchange = AJPExchange(body: .contentLength(5), firstChunk: 8186, maxPacketSize: 8192)
        #expect(exchange.bodyRemaining == 0)
        #expect(exchange.bodyExhausted)
    }

    @Test func bodyPulledAfterTheHeadersIsStillServed() throws {
        // A servlet may read its body late, after committing the response (reference §1.9).
        var driver = ExchangeDriver(body: .contentLength(20000), firstChunk: 8186)
        _ = try driver.receive(driver.headers())
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 8186))
        #expect(try driver.receive(driver.chunk("ok")) == .write(ascii("ok")))
    }

    // MARK: - Body chunks and flushes around the headers

    @Test func bodyChunkBeforeHeadersStartsADefault200Response() throws {
        // mod_jk: after the exchange has moved past the FORWARD_REQUEST (here: a GET_BODY_CHUNK was
        // answered), a SEND_BODY_CHUNK with no SEND_HEADERS makes it start a default 200 response.
        var driver = ExchangeDriver(body: .chunked)
        #expect(try driver.receive(getBodyChunk) == .sendBody(maxLength: 8186))
        driver.exchange.sentBody(0)
        #expect(try driver.receive(driver.chunk("early")) == .startDefaultResponseAndWrite(ascii("early")))
        #expect(driver.exchange.responseStarted)
        #expect(try driver.receive(driver.chunk("more")) == .write(ascii("more")))
        #expect(try driver.receive(.endResponse(reuse: true)) == .finish(reuse: true))
    }

    @Test func nonEmptyBodyChunkRightAfterTheForwardRequestIsAProtocolError() {
        // mod_jk 1.2.48 ajp_process_callback: while last_op is JK_AJP13_FORWARD_REQUEST a non-empty
        // SEND_BODY_CHUNK is "Unexpected AJP13_SEND_BODY_CHUNK" -> JK_AJP13_ERROR (reference §1.9:
        // "a non-empty one is a protocol error"): it is most likely the rest of an earlier response,
        // so writing it to this client would desynchronise the connection.
        var driver = ExchangeDriver()
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(driver.chunk("stale")) }
        #expect(!driver.exchange.responseStarted)
    }

    @Test func staleEmptyChunkBeforeTheResponseIsIgnored() throws {
        var driver = ExchangeDriver()
        #expect(try driver.receive(driver.chunk("")) == ActionSummary.none)
        #expect(try driver.receive(driver.chunk("")) == ActionSummary.none)
        #expect(!driver.exchange.responseStarted)
        // The real headers that follow are the first, not a duplicate.
        #expect(try driver.receive(driver.headers(404)) == .startResponse(status: 404, reason: "404", headers: []))
    }

    @Test func emptyChunkBeforeHeadersAfterAGetBodyChunkIsIgnoredToo() throws {
        // mod_jk: "Ignoring flush message received before headers".
        var driver = ExchangeDriver(body: .chunked)
        _ = try driver.receive(getBodyChunk)
        #expect(try driver.receive(driver.chunk("")) == ActionSummary.none)
        #expect(!driver.exchange.responseStarted)
    }

    @Test func emptyChunkAfterHeadersIsAFlush() throws {
        // The test backend's /flush script: headers, part 1, 41 42 00 04 03 00 00 00, part 2, end.
        var driver = ExchangeDriver()
        _ = try driver.receive(driver.headers())
        #expect(try driver.receive(driver.chunk("part=1\n")) == .write(ascii("part=1\n")))
        #expect(try driver.receive(driver.chunk("")) == .flush)
        #expect(try driver.receive(driver.chunk("part=2\n")) == .write(ascii("part=2\n")))
    }

    // MARK: - Errors

    @Test func secondSendHeadersIsDuplicateHeaders() throws {
        var driver = ExchangeDriver()
        _ = try driver.receive(driver.headers())
        #expect(throws: AJPError(.duplicateHeaders)) { try driver.receive(driver.headers()) }
    }

    @Test func sendHeadersAfterBodyChunksIsDuplicateHeaders() throws {
        // mod_jk's own check only looks at the previous message; its reply loop (headeratclient)
        // rejects any second SEND_HEADERS.
        var driver = ExchangeDriver()
        _ = try driver.receive(driver.headers())
        _ = try driver.receive(driver.chunk("x"))
        #expect(throws: AJPError(.duplicateHeaders)) { try driver.receive(driver.headers(500)) }
    }

    @Test func cpongDuringAnExchangeIsUnexpected() throws {
        var driver = ExchangeDriver()
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(.cpong) }
        _ = try driver.receive(driver.headers())
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(.cpong) }
    }

    @Test func anythingAfterEndResponseIsUnexpected() throws {
        var driver = ExchangeDriver()
        _ = try driver.receive(driver.headers())
        _ = try driver.receive(.endResponse(reuse: true))
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(driver.chunk("late")) }
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(.endResponse(reuse: true)) }
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(getBodyChunk) }
        #expect(throws: AJPError(.unexpectedMessage)) { try driver.receive(driver.headers()) }
    }

    // MARK: - END_RESPONSE

    @Test(arguments: [false, true])
    func endResponseCarriesTheReuseFlag(reuse: Bool) throws {
        var driver = ExchangeDriver()
        _ = try driver.receive(driver.headers())
        #expect(try driver.receive(.endResponse(reuse: reuse)) == .finish(reuse: reuse))
        #expect(driver.exchange.isFinished)
    }

    @Test(arguments: ["41 42 00 02 05 00", "41 42 00 02 05 01"])
    func endResponseReuseFromTheWire(packet: String) throws {
        var driver = ExchangeDriver()
        _ = try driver.receive(driver.headers())
        let bytes = Hex.bytes(packet)
        #expect(try driver.receive([GoldenVector("end", hex: packet)]) == [.finish(reuse: bytes[5] == 1)])
    }

    @Test func endResponseWithoutHeadersFinishesTheExchange() throws {
        var driver = ExchangeDriver()
        #expect(try driver.receive(.endResponse(reuse: true)) == .finish(reuse: true))
        #expect(driver.exchange.isFinished)
    }

    @Test func endResponseWithoutHeadersDoesNotClaimTheResponseStarted() throws {
        // `responseStarted` is documented as "true once anything was handed to the client"; here
        // nothing was (the forwarder then starts a default 200 itself and does not read the flag).
        var driver = ExchangeDriver()
        _ = try driver.receive(.endResponse(reuse: true))
        #expect(!driver.exchange.responseStarted)
    }
}
