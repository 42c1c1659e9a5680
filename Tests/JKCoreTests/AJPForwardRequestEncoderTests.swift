import CJKCore
import Testing

@testable import JKCore

/// A mod_jk golden vector and the request (as httpd saw it) that produced it.
struct GoldenRequest: Sendable, CustomTestStringConvertible {
    let vector: GoldenVector
    let request: RequestSpec
    var testDescription: String { vector.name }
}

/// A request as curl sent it in the capture: curl's Host/User-Agent/Accept, then `extra`; every
/// environment-dependent value is the one recorded next to the vector in GoldenVectors.swift.
private func curl(_ method: String = "GET", _ uri: String, query: String? = nil, clientPort: String,
                  serverPort: Int32 = GoldenVectors.Environment.serverPort, _ extra: [(String, String)] = [],
                  _ configure: (inout RequestSpec) -> Void = { _ in }) -> RequestSpec {
    var spec = RequestSpec()
    spec.method = method
    spec.uri = uri
    spec.query = query
    spec.remotePort = clientPort
    spec.serverPort = serverPort
    spec.headers = RequestSpec.curlHeaders(port: serverPort, extra)
    configure(&spec)
    return spec
}

private let envPort = GoldenVectors.Environment.envVarServerPort
private let jk = GoldenVectors.ModJK.self

/// Every FORWARD_REQUEST captured from mod_jk 1.2.48, with the request that caused it.
let goldenRequests: [GoldenRequest] = [
    GoldenRequest(vector: jk.t28GetThroughLoadBalancer, request: curl(
        "GET", "/app/hello", query: "x=1&y=%20z", clientPort: "41028",
        [("X-Custom", "abc"), ("Accept-Language", "de")]) { $0.route = "node1" }),
    GoldenRequest(vector: jk.plainWorkerGet, request: curl(
        "GET", "/plain/hello", query: "x=1&y=%20z", clientPort: "41128",
        [("X-Custom", "abc"), ("Accept-Language", "de")])),
    GoldenRequest(vector: jk.t29ExplicitContentLengthZero, request: curl(
        "GET", "/plain/cl0", clientPort: "41029", [("Content-Length", "0"), ("X-After", "1")])),
    GoldenRequest(vector: jk.headerNameCodes, request: curl(
        "GET", "/plain/h", clientPort: "41228",
        [("accept-charset", "utf-8"), ("Accept-Encoding", "gzip"), ("ACCEPT-LANGUAGE", "de"),
         ("authorization", "Basic eDp5"), ("CONNECTION", "keep-alive"), ("Cookie", "a=1"),
         ("cookie2", "$Version=\"1\""), ("Pragma", "no-cache"), ("rEFERER", "http://r/"),
         ("X-Longer-Than-15", "v"), ("Content-type", "text/plain")])),
    GoldenRequest(vector: jk.emptyQueryString, request: curl("GET", "/plain/q", query: "", clientPort: "41328")),
    GoldenRequest(vector: jk.lowercaseMethod, request: curl("get", "/plain/lower", clientPort: "41333")),
    GoldenRequest(vector: jk.t30PostForwardRequest, request: curl(
        "POST", "/app/post", clientPort: "41030",
        [("Content-Length", "7"), ("Content-Type", "application/x-www-form-urlencoded")]) { $0.route = "node1" }),
    GoldenRequest(vector: jk.t31ChunkedForwardRequest, request: curl(
        "POST", "/app/chunked", clientPort: "41031",
        [("Transfer-Encoding", "chunked"), ("Content-Type", "application/x-www-form-urlencoded")]) {
            $0.route = "node1"
        }),
    GoldenRequest(vector: jk.t32LargeBodyForwardRequest, request: curl(
        "POST", "/app/large", clientPort: "41032",
        [("Content-Type", "application/octet-stream"), ("Content-Length", "20000")]) { $0.route = "node1" }),
    GoldenRequest(vector: jk.t33Patch, request: curl("PATCH", "/app/p", clientPort: "41033") { $0.route = "node1" }),
    GoldenRequest(vector: jk.t33Propfind, request: curl("PROPFIND", "/app/pf", clientPort: "41133") {
        $0.route = "node1"
    }),
    GoldenRequest(vector: jk.t33BaselineControl, request: curl("BASELINE-CONTROL", "/app/bc", clientPort: "41233") {
        $0.route = "node1"
    }),
    GoldenRequest(vector: jk.t34SecretForwardRequest, request: curl("GET", "/sec/hello", clientPort: "41034") {
        $0.secret = "s3cr3t"
    }),
    GoldenRequest(vector: jk.t36EnvVarSet, request: curl("GET", "/w1/setmy", clientPort: "41036", serverPort: envPort) {
        $0.envAttributes = [("MYVAR", "fromenv"), ("DEFVAR", "dflt")]
    }),
    GoldenRequest(vector: jk.t36EnvVarDefault, request: curl(
        "GET", "/w1/other", clientPort: "41136", serverPort: envPort) { $0.envAttributes = [("DEFVAR", "dflt")] }),
    GoldenRequest(vector: jk.t38RemoteUserAuthTypeRemoteHost, request: curl(
        "GET", "/w1/user", clientPort: "41038", serverPort: envPort) {
            $0.remoteHost = "h.example"
            $0.remoteUser = "alice"
            $0.authType = "Basic"
            $0.envAttributes = [("DEFVAR", "dflt")]
        }),
    GoldenRequest(vector: jk.sslClientCertificate, request: curl(
        "GET", "/plain/tls", query: "z=1", clientPort: "41044", serverPort: GoldenVectors.Environment.sslServerPort) {
            $0.isSSL = true
            $0.sslCert = GoldenVectors.Environment.sslClientCertificatePEM
            $0.sslCipher = GoldenVectors.Environment.sslCipher
            $0.sslSession = GoldenVectors.Environment.sslSessionID
            $0.sslKeySize = "128"
            $0.sslProtocol = "TLSv1.2"
        }),
]

/// The fields of an encoded FORWARD_REQUEST, read back with AJPMessageReader (tested on its own).
struct ParsedForwardRequest {
    var method: UInt8 = 0
    var uri: String?
    /// Coded names appear as `#a008`.
    var headers: [HeaderLine] = []
    var attributeCodes: [UInt8] = []
    /// `code:value`; 0x0A as `0a:name=value`, 0x0B with its int value.
    var attributes: [String] = []

    init(_ packet: [UInt8]) throws {
        try Array(packet.dropFirst(4)).withUnsafeBytes { payload in
            var reader = AJPMessageReader(payload: payload)
            func string() throws -> String? {
                try reader.readString().map { String(decoding: $0, as: UTF8.self) }
            }
            #expect(try reader.readByte() == AJPMessageType.forwardRequest.rawValue)
            method = try reader.readByte()
            _ = try string()
            uri = try string()
            for _ in 0..<3 { _ = try string() }
            _ = try reader.readInt()
            _ = try reader.readByte()
            for _ in 0..<(try reader.readInt()) {
                let name: String?
                if try reader.peekInt() & 0xFF00 == 0xA000 {
                    name = "#" + String(try reader.readInt(), radix: 16)
                } else {
                    name = try string()
                }
                headers.append(HeaderLine(name, try string()))
            }
            while true {
                let code = try reader.readByte()
                if code == AJPAttribute.areDone { break }
                attributeCodes.append(code)
                let hex = code < 16 ? "0" + String(code, radix: 16) : String(code, radix: 16)
                switch code {
                case AJPAttribute.requestAttribute:
                    attributes.append("0a:\(try string() ?? "")=\(try string() ?? "")")
                case AJPAttribute.sslKeySize:
                    attributes.append("0b:\(try reader.readInt())")
                default:
                    attributes.append("\(hex):\(try string() ?? "<null>")")
                }
            }
            #expect(reader.remaining == 0, "bytes after the 0xFF terminator")
        }
        #expect(Int(packet[2]) << 8 | Int(packet[3]) == packet.count - 4, "header length")
    }
}

private extension String {
    /// A 16-bit big-endian length as two hex bytes.
    init(format4 value: Int) {
        self = Hex.string([UInt8(value >> 8), UInt8(value & 0xFF)])
    }
}

@Suite("AJPForwardRequestEncoder")
struct AJPForwardRequestEncoderTests {
    // MARK: - Golden vectors from mod_jk 1.2.48

    @Test(arguments: goldenRequests)
    func encodesExactlyWhatModJKSent(golden: GoldenRequest) throws {
        expectSameBytes(try golden.request.encode(), golden.vector.bytes, golden.vector.name)
    }

    /// Reference Appendix A.1, transcribed from its annotation: the T28 request captured on another
    /// day with server port 38917 and client port 56966.
    private static let appendixA1: [UInt8] = {
        func str(_ text: String) -> String { String(format4: text.utf8.count) + " " + Hex.string(ascii(text)) + " 00" }
        return Hex.bytes([
            "12 34 00 fe", "02", "02", str("HTTP/1.1"), str("/app/hello"), str("127.0.0.1"), "ff ff",
            str("127.0.0.1"), "98 05", "00", "00 06",
            "a0 0b", str("127.0.0.1:38917"), "a0 0e", str("curl/7.88.1"), "a0 01", str("*/*"),
            str("X-Custom"), str("abc"), str("Accept-Language"), str("de"), "a0 08", str("0"),
            "05", str("x=1&y=%20z"), "06", str("node1"),
            "0a", str("AJP_REMOTE_PORT"), str("56966"), "0a", str("AJP_LOCAL_ADDR"), str("127.0.0.1"),
            "0a", str("JK_LB_ACTIVATION"), str("ACT"), "ff",
        ].joined(separator: " "))
    }()

    @Test func encodesReferenceAppendixA1WithItsEnvironment() throws {
        var spec = goldenRequests[0].request
        spec.serverPort = 38917
        spec.remotePort = "56966"
        spec.headers = RequestSpec.curlHeaders(port: 38917, [("X-Custom", "abc"), ("Accept-Language", "de")])
        expectSameBytes(try spec.encode(), Self.appendixA1, "Appendix A.1")
    }

    @Test func capturedT28DiffersFromAppendixA1OnlyInTheEnvironmentFields() {
        // Same length; the differing bytes are server_port, the Host port digits and AJP_REMOTE_PORT.
        let captured = GoldenVectors.ModJK.t28GetThroughLoadBalancer.bytes
        #expect(captured.count == Self.appendixA1.count)
        let differing = captured.indices.filter { captured[$0] != Self.appendixA1[$0] }
        let serverPort = 56...57         // 9a 04 vs 98 05
        let hostPortDigits = 75...79     // "39428" vs "38917" in "127.0.0.1:PORT"
        let remotePortDigits = 195...199 // "41028" vs "56966"
        #expect(differing.allSatisfy { serverPort.contains($0) || hostPortDigits.contains($0)
            || remotePortDigits.contains($0) }, "differing offsets \(differing)")
    }

    @Test func bodyModesOfTheCapturedRequests() {
        #expect(goldenRequests[0].request.bodyMode == .none)
        #expect(goldenRequests.first { $0.vector.name == jk.t30PostForwardRequest.name }?.request.bodyMode
                == .contentLength(7))
        #expect(goldenRequests.first { $0.vector.name == jk.t31ChunkedForwardRequest.name }?.request.bodyMode
                == .chunked)
        #expect(goldenRequests.first { $0.vector.name == jk.t32LargeBodyForwardRequest.name }?.request.bodyMode
                == .contentLength(20000))
    }

    // MARK: - Method codes

    @Test(arguments: zip(AJPMethod.names.map { "\($0)" }, UInt8(1)...27))
    func methodInTheTableIsSentAsItsCode(name: String, code: UInt8) throws {
        #expect(ascii(name).withUnsafeBytes { AJPMethod.code(for: $0) } == code)
        var spec = RequestSpec()
        spec.method = name
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.method == code)
        #expect(!parsed.attributeCodes.contains(AJPAttribute.storedMethod))
    }

    @Test func methodTableHasTheReferenceOrder() {
        #expect(AJPMethod.names.map { "\($0)" } == [
            "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",
            "MOVE", "LOCK", "UNLOCK", "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN", "CHECKOUT", "UNCHECKOUT",
            "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE", "BASELINE-CONTROL", "MKACTIVITY",
        ])
    }

    @Test(arguments: ["PATCH", "get", "Get", "GETS", "GE", "POST ", "MKCALENDAR", "BASELINE_CONTROL", "mkactivity"])
    func methodOutsideTheTableIsStoredWithItsExactName(name: String) throws {
        #expect(ascii(name).withUnsafeBytes { AJPMethod.code(for: $0) } == AJPMethod.stored)
        var spec = RequestSpec()
        spec.method = name
        spec.route = "r1"
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.method == 0xFF)
        // After the route, before the request attributes (reference §1.5.3, Appendix A.3).
        #expect(Array(parsed.attributes.prefix(2)) == ["06:r1", "0d:\(name)"])
    }

    // MARK: - Header codes

    @Test(arguments: [
        ("Accept", UInt16(0xA001)), ("accept", 0xA001), ("aCcEpT", 0xA001),
        ("Authorization", 0xA005), ("AUTHORIZATION", 0xA005),
        ("Connection", 0xA006), ("connection", 0xA006),
        ("Content-Type", 0xA007), ("content-TYPE", 0xA007),
        ("Content-Length", 0xA008), ("CONTENT-LENGTH", 0xA008),
        ("Cookie", 0xA009), ("cookie", 0xA009),
        ("Cookie2", 0xA00A), ("COOKIE2", 0xA00A),
        ("Host", 0xA00B), ("hOsT", 0xA00B),
        ("Pragma", 0xA00C), ("pragma", 0xA00C),
        ("Referer", 0xA00D), ("REFERER", 0xA00D),
        ("User-Agent", 0xA00E), ("user-agent", 0xA00E),
    ])
    func codedHeaderNamesMatchIgnoringCase(name: String, code: UInt16) {
        #expect(ascii(name).withUnsafeBytes { AJPRequestHeader.code(for: $0) } == code)
    }

    @Test(arguments: [
        // The mod_jk quirk: its comparison for ACCEPT includes the NUL, so the Accept-* family is never coded.
        "Accept-Charset", "accept-encoding", "ACCEPT-LANGUAGE", "Accept-",
        // Near misses and lengths outside 4...15.
        "Acceptx", "Cookie3", "Cookies", "Referrer", "Host ", "Hos", "TE", "X-Custom", "Content-Length-X",
        "User-Agents", "Content-Location", "",
    ])
    func otherHeaderNamesAreSentAsStrings(name: String) throws {
        #expect(ascii(name).withUnsafeBytes { AJPRequestHeader.code(for: $0) } == nil)
        guard !name.isEmpty else { return }
        var spec = RequestSpec()
        spec.headers = [(name, "v")]
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.headers.first == HeaderLine(name, "v"))
    }

    @Test func stringHeaderNamesKeepTheirCaseAndOrderAndDuplicates() throws {
        var spec = RequestSpec()
        spec.headers = [("X-B", "1"), ("x-a", "2"), ("X-B", "3"), ("Host", "h"), ("X-EMPTY", "")]
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.headers == [
            HeaderLine("X-B", "1"), HeaderLine("x-a", "2"), HeaderLine("X-B", "3"), HeaderLine("#a00b", "h"),
            HeaderLine("X-EMPTY", ""), HeaderLine("#a008", "0"),
        ])
    }

    // MARK: - Content-Length normalisation (reference §1.8, T29)

    @Test func requestWithoutBodyGetsContentLengthZeroAsTheLastHeader() throws {
        var spec = RequestSpec()
        spec.headers = [("Host", "h"), ("X-A", "1")]
        #expect(spec.bodyMode == .none)
        let packet = try spec.encode()
        #expect(try ParsedForwardRequest(packet).headers.last == HeaderLine("#a008", "0"))
        #expect(try ParsedForwardRequest(packet).headers.count == 3)
    }

    @Test func requestWithoutAnyHeaderStillGetsContentLengthZero() throws {
        let parsed = try ParsedForwardRequest(try RequestSpec().encode())
        #expect(parsed.headers == [HeaderLine("#a008", "0")])
    }

    @Test(arguments: ["Content-Length", "content-length", "CONTENT-LENGTH"])
    func explicitContentLengthZeroIsKeptInPlaceAndNotDuplicated(name: String) throws {
        var spec = RequestSpec()
        spec.headers = [("Host", "h"), (name, "0"), ("X-After", "1")]
        #expect(spec.bodyMode == .none)
        #expect(try ParsedForwardRequest(try spec.encode()).headers == [
            HeaderLine("#a00b", "h"), HeaderLine("#a008", "0"), HeaderLine("X-After", "1"),
        ])
    }

    @Test func positiveContentLengthIsKeptAndNothingIsAppended() throws {
        var spec = RequestSpec()
        spec.method = "POST"
        spec.headers = [("Content-Length", "7"), ("Content-Type", "text/plain")]
        #expect(spec.bodyMode == .contentLength(7))
        #expect(try ParsedForwardRequest(try spec.encode()).headers == [
            HeaderLine("#a008", "7"), HeaderLine("#a007", "text/plain"),
        ])
    }

    @Test func chunkedRequestDropsEveryContentLength() throws {
        var spec = RequestSpec()
        spec.method = "POST"
        spec.headers = [("Host", "h"), ("Content-Length", "5"), ("Transfer-Encoding", "chunked"),
                        ("content-length", "5"), ("X-After", "1")]
        #expect(spec.bodyMode == .chunked)
        // ParsedForwardRequest reads num_headers entries and then the attributes up to 0xFF, so a
        // count that included the dropped headers would not parse back to this list.
        #expect(try ParsedForwardRequest(try spec.encode()).headers == [
            HeaderLine("#a00b", "h"), HeaderLine("Transfer-Encoding", "chunked"), HeaderLine("X-After", "1"),
        ])
    }

    @Test func ignoreContentLengthWithABodyMakesTheRequestChunked() throws {
        var spec = RequestSpec()
        spec.method = "POST"
        spec.headers = [("Host", "h"), ("Content-Length", "20")]
        spec.ignoreContentLength = true
        #expect(spec.bodyMode == .chunked)
        #expect(try ParsedForwardRequest(try spec.encode()).headers == [HeaderLine("#a00b", "h")])
    }

    @Test func ignoreContentLengthWithoutABodyKeepsContentLengthZero() throws {
        var spec = RequestSpec()
        spec.headers = [("Content-Length", "0")]
        spec.ignoreContentLength = true
        #expect(spec.bodyMode == .none)
        #expect(try ParsedForwardRequest(try spec.encode()).headers == [HeaderLine("#a008", "0")])
    }

    @Test(arguments: ["chunked", "CHUNKED", "gzip, chunked"])
    func transferEncodingContainingChunkedIsChunked(value: String) {
        var spec = RequestSpec()
        spec.headers = [("transfer-encoding", value), ("Content-Length", "9")]
        #expect(spec.bodyMode == .chunked)
    }

    @Test func subrequestNeverHasABody() {
        var spec = RequestSpec()
        spec.headers = [("Content-Length", "10"), ("Transfer-Encoding", "chunked")]
        spec.isSubrequest = true
        #expect(spec.bodyMode == .none)
    }

    @Test func contentLengthParsing() {
        #expect(RequestBodyMode.parseUnsigned(nil) == 0)
        #expect(ascii("20000").withUnsafeBytes { RequestBodyMode.parseUnsigned($0) } == 20000)
        #expect(ascii("  7").withUnsafeBytes { RequestBodyMode.parseUnsigned($0) } == 7)
        #expect(ascii("7abc").withUnsafeBytes { RequestBodyMode.parseUnsigned($0) } == 7)
        #expect(ascii("abc").withUnsafeBytes { RequestBodyMode.parseUnsigned($0) } == 0)
        #expect(ascii("18446744073709551615").withUnsafeBytes { RequestBodyMode.parseUnsigned($0) } == UInt64.max)
        #expect(ascii("18446744073709551616").withUnsafeBytes { RequestBodyMode.parseUnsigned($0) } == 0)
    }

    // MARK: - Attributes

    @Test func attributesFollowModJKsEmissionOrder() throws {
        var spec = RequestSpec()
        spec.method = "PATCH"
        spec.query = "q=1"
        spec.remoteUser = "u"
        spec.authType = "Basic"
        spec.isSSL = true
        spec.sslCert = "CERT"
        spec.sslCipher = "C"
        spec.sslSession = "S"
        spec.sslKeySize = "256"
        spec.sslProtocol = "TLSv1.3"
        spec.envAttributes = [("E1", "v1"), ("E2", "v2")]
        spec.secret = "sec"
        spec.route = "r"
        spec.activation = "DIS"
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.attributes == [
            "0c:sec", "03:u", "04:Basic", "05:q=1", "06:r", "07:CERT", "08:C", "09:S", "0b:256", "0d:PATCH",
            "0a:AJP_SSL_PROTOCOL=TLSv1.3", "0a:AJP_REMOTE_PORT=41028", "0a:AJP_LOCAL_ADDR=127.0.0.1",
            "0a:JK_LB_ACTIVATION=DIS", "0a:E1=v1", "0a:E2=v2",
        ])
    }

    @Test func emptyRemoteUserAndAuthTypeAreNotSent() throws {
        var spec = RequestSpec()
        spec.remoteUser = ""
        spec.authType = ""
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.attributes == [
            "0a:AJP_REMOTE_PORT=41028", "0a:AJP_LOCAL_ADDR=127.0.0.1", "0a:JK_LB_ACTIVATION=ACT",
        ])
    }

    @Test func sslValuesAreIgnoredWhenTheRequestIsNotSSL() throws {
        var spec = RequestSpec()
        spec.sslCipher = "C"
        spec.sslSession = "S"
        spec.sslKeySize = "128"
        spec.sslProtocol = "TLSv1.2"
        let parsed = try ParsedForwardRequest(try spec.encode())
        #expect(parsed.attributeCodes == [0x0A, 0x0A, 0x0A])
    }

    @Test func keySizeNeedsJkOptionsForwardKeySize() throws {
        var spec = RequestSpec()
        spec.isSSL = true
        spec.sslKeySize = "128"
        spec.options = 0
        #expect(try ParsedForwardRequest(try spec.encode()).attributeCodes == [0x0A, 0x0A, 0x0A])
        spec.options = UInt32(SJK_OPT_FORWARD_KEY_SIZE)
        #expect(try ParsedForwardRequest(try spec.encode()).attributes.first == "0b:128")
    }

    @Test func forwardedURIIsTheContextURINotTheRequestURI() throws {
        var spec = RequestSpec()
        spec.uri = "/w1/c;jsessionid=Z"
        spec.forwardedURI = "/w1/a%20b/../c;jsessionid=Z"
        #expect(try ParsedForwardRequest(try spec.encode()).uri == "/w1/a%20b/../c;jsessionid=Z")
    }

    // MARK: - Size limit (T35): exactly capacity and capacity + 1

    /// A request whose FORWARD_REQUEST is `padding` bytes longer than with an empty X-Pad value.
    private func padded(_ padding: Int) -> RequestSpec {
        var spec = RequestSpec()
        spec.headers = RequestSpec.curlHeaders([("X-Pad", String(repeating: "p", count: padding))])
        return spec
    }

    @Test(arguments: [8192, 16384, 65536])
    func requestFillingMaxPacketSizeExactlyIsEncoded(capacity: Int) throws {
        let base = try padded(0).encode(capacity: capacity).count
        let packet = try padded(capacity - base).encode(capacity: capacity)
        #expect(packet.count == capacity)
        let length = capacity - 4
        #expect(Array(packet[0..<4]) == [0x12, 0x34, UInt8(length >> 8), UInt8(length & 0xFF)])
        #expect(packet.last == AJPAttribute.areDone)
    }

    @Test(arguments: [8192, 16384, 65536])
    func requestOneByteOverMaxPacketSizeIsMessageTooLarge(capacity: Int) throws {
        let base = try padded(0).encode(capacity: capacity).count
        #expect(throws: AJPError(.messageTooLarge)) { try padded(capacity - base + 1).encode(capacity: capacity) }
    }

    @Test func twoHeadersOf4500BytesDoNotFitDefaultPacketSize() {
        var spec = RequestSpec()
        let big = String(repeating: "x", count: 4500)
        spec.headers = RequestSpec.curlHeaders([("X-Big1", big), ("X-Big2", big)])
        #expect(throws: AJPError(.messageTooLarge)) { try spec.encode(capacity: 8192) }
    }
}
