import Testing

@testable import JKCore

/// Decodes a Tomcat golden vector.
private func decoded(_ vector: GoldenVector) throws -> DecodedResponse {
    try DecodedResponse.decode(packet: vector.bytes)
}

/// Decodes a hand-written payload (no header).
private func decoded(payload hex: String) throws -> DecodedResponse {
    try DecodedResponse.decode(payload: Hex.bytes(hex))
}

@Suite("AJPResponseMessage")
struct AJPResponseMessageTests {
    // MARK: - Real Tomcat 10.1 packets

    @Test func decodesCPong() throws {
        #expect(try decoded(GoldenVectors.Tomcat.cpong) == .cpong)
    }

    @Test func decodesStaticFileHeadersWithStringAndCodedNames() throws {
        #expect(try decoded(GoldenVectors.Tomcat.staticHeaders) == .sendHeaders(status: 200, reason: "200", headers: [
            HeaderLine("Accept-Ranges", "bytes"),
            HeaderLine("ETag", "W/\"18-1795777201642\""),
            HeaderLine("Last-Modified", "Fri, 27 Nov 2026 11:00:01 GMT"),
            HeaderLine("Content-Type", "text/plain"),
            HeaderLine("Content-Length", "18"),
        ]))
    }

    @Test func bodyChunkExcludesTomcatsTrailingZeroByte() throws {
        #expect(try decoded(GoldenVectors.Tomcat.staticBody) == .sendBodyChunk(ascii("static hello file\n")))
        #expect(GoldenVectors.Tomcat.staticBody.bytes.last == 0)
    }

    @Test func decodesEndResponseWithReuse() throws {
        #expect(try decoded(GoldenVectors.Tomcat.staticEnd) == .endResponse(reuse: true))
    }

    @Test func decodesRedirectWithCodedLocation() throws {
        #expect(try decoded(GoldenVectors.Tomcat.redirectHeaders) == .sendHeaders(status: 302, reason: "302", headers: [
            HeaderLine("Location", "/index.jsp?from=redirect"),
            HeaderLine("Content-Type", "text/html;charset=UTF-8"),
            HeaderLine("Content-Length", "0"),
        ]))
    }

    @Test func decodesCodedSetCookieWithRoute() throws {
        let cookie = "JSESSIONID=782DF24311CE618015EEC1E1A14C8D82.node1; Path=/; HttpOnly"
        #expect(try decoded(GoldenVectors.Tomcat.sessionHeaders) == .sendHeaders(status: 200, reason: "200", headers: [
            HeaderLine("Set-Cookie", cookie),
            HeaderLine("Content-Type", "text/plain;charset=UTF-8"),
            HeaderLine("Content-Length", "56"),
        ]))
    }

    @Test func decodesGetBodyChunkFor8186Bytes() throws {
        #expect(try decoded(GoldenVectors.Tomcat.echoGetBodyChunk) == .getBodyChunk(requested: 8186))
        #expect(try decoded(GoldenVectors.Tomcat.echoGetBodyChunkAgain) == .getBodyChunk(requested: 8186))
    }

    @Test func decodesEchoOfTheChunkedBody() throws {
        let body = "length=13 sha256=8d9fb419edde4ae8d6940766689781b47294da38fd43e51282abf659d5a3528c\n"
        #expect(try decoded(GoldenVectors.Tomcat.echoBody) == .sendBodyChunk(ascii(body)))
    }

    @Test func decodesNotFoundWithCodedContentLanguageAndHTMLBody() throws {
        #expect(try decoded(GoldenVectors.Tomcat.notFoundHeaders) == .sendHeaders(status: 404, reason: "404", headers: [
            HeaderLine("Content-Type", "text/html;charset=utf-8"),
            HeaderLine("Content-Language", "en"),
            HeaderLine("Content-Length", "774"),
        ]))
        guard case .sendBodyChunk(let html) = try decoded(GoldenVectors.Tomcat.notFoundBody) else {
            Issue.record("not a body chunk")
            return
        }
        #expect(html.count == 774)
        #expect(html.starts(with: ascii("<!doctype html>")))
    }

    @Test(arguments: GoldenVectors.Tomcat.allPackets)
    func everyStrictPrefixOfAPayloadIsRejected(vector: GoldenVector) throws {
        // A packet whose declared length was cut short cannot decode: every field is length-checked.
        // Two prefixes are complete messages by design and are skipped: END_RESPONSE without its
        // reuse byte (= no reuse), and SEND_BODY_CHUNK without Tomcat's optional trailing 0x00.
        let payload = vector.payload
        for end in 0..<payload.count {
            if payload[0] == AJPMessageType.endResponse.rawValue, end == 1 { continue }
            if payload[0] == AJPMessageType.sendBodyChunk.rawValue, end == payload.count - 1 { continue }
            #expect(throws: AJPError.self, "prefix of \(end) bytes") {
                try DecodedResponse.decode(payload: Array(payload[0..<end]))
            }
        }
    }

    // MARK: - Hand-written payloads: edge cases

    @Test func everyResponseHeaderCodeMapsToItsName() throws {
        let names = ["Content-Type", "Content-Language", "Content-Length", "Date", "Last-Modified", "Location",
                     "Set-Cookie", "Set-Cookie2", "Servlet-Engine", "Status", "WWW-Authenticate"]
        for (index, name) in names.enumerated() {
            let code = UInt16(0xA001 + index)
            #expect(AJPResponseHeader.name(forCode: code).map { "\($0)" } == name)
            let payload = "04 00 c8 ff ff 00 01 a0 \(hexByte(index + 1)) 00 01 78 00"
            #expect(try decoded(payload: payload) == .sendHeaders(status: 200, reason: nil,
                                                                  headers: [HeaderLine(name, "x")]))
        }
        for code: UInt16 in [0xA000, 0xA00C, 0xA0FF, 0xB001, 0x0001] {
            #expect(AJPResponseHeader.name(forCode: code) == nil)
        }
    }

    @Test func nullReasonDecodesAsNil() throws {
        #expect(try decoded(payload: "04 01 f4 ff ff 00 00") == .sendHeaders(status: 500, reason: nil, headers: []))
    }

    @Test func emptyReasonDecodesAsEmpty() throws {
        #expect(try decoded(payload: "04 00 c8 00 00 00 00 00") == .sendHeaders(status: 200, reason: "", headers: []))
    }

    @Test func stringHeaderNameKeepsItsCase() throws {
        #expect(try decoded(payload: "04 00 c8 00 03 32 30 30 00 00 01 00 06 58 2d 4e 6f 64 65 00 00 01 31 00")
                == .sendHeaders(status: 200, reason: "200", headers: [HeaderLine("X-Node", "1")]))
    }

    @Test func endResponseReuseIsAnyNonZeroByte() throws {
        #expect(try decoded(payload: "05 00") == .endResponse(reuse: false))
        #expect(try decoded(payload: "05 01") == .endResponse(reuse: true))
        #expect(try decoded(payload: "05 02") == .endResponse(reuse: true))
        #expect(try decoded(payload: "05 ff") == .endResponse(reuse: true))
    }

    @Test func endResponseWithoutReuseByteMeansDoNotReuse() throws {
        #expect(try decoded(payload: "05") == .endResponse(reuse: false))
    }

    @Test func emptyBodyChunkIsAFlush() throws {
        // Tomcat's flush packet 41 42 00 04 03 00 00 00 (reference §1.4).
        #expect(try DecodedResponse.decode(packet: Hex.bytes("41 42 00 04 03 00 00 00")) == .sendBodyChunk([]))
        #expect(try decoded(payload: "03 00 00") == .sendBodyChunk([]))
    }

    @Test func chunkLengthMayUseTheWholePayloadWithoutTrailingZero() throws {
        // mod_jk's bound is len <= payload - 3; the trailing 0x00 is Tomcat's habit, not required.
        #expect(try decoded(payload: "03 00 03 61 62 63") == .sendBodyChunk(ascii("abc")))
    }

    // MARK: - One negative test per error code

    @Test func chunkLengthOnePastThePayloadIsChunkLengthTooLarge() {
        #expect(throws: AJPError(.chunkLengthTooLarge)) { try decoded(payload: "03 00 04 61 62 63") }
    }

    @Test func backendFaultChunkTooLargeIsRejected() {
        // ajp-test-backend /fault/chunktoolarge: 41 42 00 07 03 00 64 "abc" 00 (length 100).
        #expect(throws: AJPError(.chunkLengthTooLarge)) {
            try DecodedResponse.decode(packet: Hex.bytes("41 42 00 07 03 00 64 61 62 63 00"))
        }
    }

    @Test func statusZeroIsInvalidStatus() {
        #expect(throws: AJPError(.invalidStatus)) { try decoded(payload: "04 00 00 00 03 32 30 30 00 00 00") }
    }

    @Test(arguments: ["a0 00", "a0 0c", "a0 0f", "a0 ff"])
    func codedHeaderNameOutsideTheTableIsUnknownHeaderCode(code: String) {
        #expect(throws: AJPError(.unknownHeaderCode)) {
            try decoded(payload: "04 00 c8 00 03 32 30 30 00 00 01 \(code) 00 01 78 00")
        }
    }

    @Test(arguments: [UInt8(0), 1, 2, 7, 8, 10, 11, 0x42, 0xFF])
    func prefixOfNoContainerMessageIsUnknownMessageType(prefix: UInt8) {
        // 2 (FORWARD_REQUEST), 7 (SHUTDOWN), 8 (PING) and 10 (CPING) travel the other way.
        #expect(throws: AJPError(.unknownMessageType)) { try DecodedResponse.decode(payload: [prefix, 0, 0]) }
    }

    @Test func backendFaultUnknownTypeIsRejected() {
        // ajp-test-backend /fault/unknowntype: 41 42 00 01 42.
        #expect(throws: AJPError(.unknownMessageType)) {
            try DecodedResponse.decode(packet: Hex.bytes("41 42 00 01 42"))
        }
    }

    @Test func reasonWithoutTerminatorIsMissingTerminator() {
        #expect(throws: AJPError(.missingTerminator)) { try decoded(payload: "04 00 c8 00 03 32 30 30 20 00 00") }
    }

    @Test func headerValueWithoutTerminatorIsMissingTerminator() {
        #expect(throws: AJPError(.missingTerminator)) {
            try decoded(payload: "04 00 c8 ff ff 00 01 a0 01 00 01 78 41 00")
        }
    }

    @Test func fewerHeadersThanAnnouncedIsTruncated() {
        #expect(throws: AJPError(.truncated)) { try decoded(payload: "04 00 c8 ff ff 00 02 a0 01 00 01 78 00") }
    }

    @Test func getBodyChunkWithoutLengthIsTruncated() {
        #expect(throws: AJPError(.truncated)) { try decoded(payload: "06 1f") }
    }

    @Test func emptyPayloadIsTruncated() {
        #expect(throws: AJPError(.truncated)) { try DecodedResponse.decode(payload: []) }
    }

    @Test func nullHeaderNameOrValueIsRejectedLikeModJK() {
        // mod_jk 1.2.48 ajp_unmarshal_response: "Null header name" / "Null header value" -> JK_FALSE,
        // a protocol error. The decoder accepts FF FF in both places and hands absent views on
        // (the C shim then silently drops the header).
        #expect(throws: AJPError.self) { try decoded(payload: "04 00 c8 ff ff 00 01 ff ff 00 01 78 00") }
        #expect(throws: AJPError.self) { try decoded(payload: "04 00 c8 ff ff 00 01 a0 01 ff ff") }
    }
}

/// Two lower-case hex digits of a byte value.
private func hexByte(_ value: Int) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[(value >> 4) & 0xF], digits[value & 0xF]])
}
