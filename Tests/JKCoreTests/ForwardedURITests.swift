import Testing
@testable import JKCore

/// §3.5 ForwardURIProxy (jk_canonenc) and ForwardURIEscaped (httpd ap_escape_uri).
@Suite struct ForwardedURITests {
    private typealias F = URIMapFixtures

    private func proxy(_ uri: String) -> String {
        String(decoding: ForwardedURI.proxyEncoded(F.bytes(uri)), as: UTF8.self)
    }

    private func escaped(_ uri: String) -> String {
        String(decoding: ForwardedURI.escaped(F.bytes(uri)), as: UTF8.self)
    }

    @Test func t37ProxyKeepsPathParametersAndReencodesSpaces() {
        #expect(proxy("/w1/c;jsessionid=Z") == "/w1/c;jsessionid=Z")
        #expect(proxy("/app/a b") == "/app/a%20b")
    }

    @Test func proxyEncodesPercentAndReservedBytesInUpperCase() {
        #expect(proxy("/app/a%b") == "/app/a%25b")
        #expect(proxy("/a%2Fb") == "/a%252Fb")
        #expect(proxy("/q?x#f") == "/q%3Fx%23f")
        #expect(proxy("/\"<>\\^`{|}[]") == "/%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D")
        #expect(proxy("/é") == "/%C3%A9")
        #expect(proxy("/\t\u{7F}") == "/%09%7F")
    }

    @Test func proxyKeepsTheUnreservedSet() {
        let kept = "/AZaz09~$-_.+!*'(),;:@&="
        #expect(proxy(kept) == kept)
    }

    @Test func escapedUsesLowerCaseHexAndKeepsSemicolon() {
        #expect(escaped("/app/a b") == "/app/a%20b")
        #expect(escaped("/é") == "/%c3%a9")
        #expect(escaped("/x;jsessionid=Z") == "/x;jsessionid=Z")
        #expect(escaped("/a%b?c") == "/a%25b%3fc")
    }

    @Test func encodesEveryByteExactlyOnce() {
        let kept = Set(F.bytes("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~$-_.+!*'(),;:@&=/"))
        let hexUpper = Array("0123456789ABCDEF".utf8), hexLower = Array("0123456789abcdef".utf8)
        for value in 0 ... 255 {
            let byte = UInt8(value)
            let upper: [UInt8] = kept.contains(byte)
                ? [byte] : [UInt8(ascii: "%"), hexUpper[value >> 4], hexUpper[value & 15]]
            let lower: [UInt8] = kept.contains(byte)
                ? [byte] : [UInt8(ascii: "%"), hexLower[value >> 4], hexLower[value & 15]]
            #expect(ForwardedURI.proxyEncoded([byte]) == upper)
            #expect(ForwardedURI.escaped([byte]) == lower)
        }
    }

    @Test func emptyInputGivesEmptyOutput() {
        #expect(ForwardedURI.proxyEncoded([UInt8]()).isEmpty)
        #expect(ForwardedURI.escaped("".utf8).isEmpty)
    }
}

/// JkStripSession (jk_strip_session_id).
@Suite struct SessionPathStripperTests {
    private typealias F = URIMapFixtures

    private func strip(_ uri: String, _ parameter: String = SessionPathStripper.defaultParameter) -> String? {
        SessionPathStripper.strip(F.bytes(uri), parameter: parameter).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func removesTheFirstParameterUpToTheNextSlash() {
        #expect(strip("/a;jsessionid=X/b.html") == "/a/b.html")
        #expect(strip("/a/b.html;jsessionid=X") == "/a/b.html")
        #expect(strip("/a;jsessionid=X/b;jsessionid=Y") == "/a/b;jsessionid=Y")
    }

    @Test func alsoStopsAtTheNextSemicolon() {
        #expect(strip("/a;jsessionid=X;v=1/b") == "/a;v=1/b")
    }

    @Test func returnsNilWhenAbsent() {
        #expect(strip("/a/b.html") == nil)
        #expect(strip("/a;JSESSIONID=X") == nil)
        #expect(strip("/a;jsession") == nil)
    }

    @Test func matchesTheNameAsASubstring() {
        #expect(strip("/a;jsessionidx=1/b") == "/a/b")
        #expect(strip("/a;sid=1/b", ";sid") == "/a/b")
        #expect(strip("/a;sid=1/b", "sid") == "/a;/b")
    }

    @Test func defaultParameterIsJsessionid() {
        #expect(SessionPathStripper.strip(F.bytes("/x;jsessionid=1")) == F.bytes("/x"))
    }
}

/// The in-packet URI encoder writes the same bytes as `ForwardedURI`, and `isNormal` agrees with
/// `URINormalizer.normalize`.
@Suite("In-packet URI encoding and the normal-URI fast path")
struct InPacketURIEncodingTests {
    static let samples: [String] = [
        "/app/a b", "/a%b", "/x;jsessionid=Z", "/é/ü", "/plain/path.jsp", "/q?x", "/~user/$-_.+!*'(),;:@&=/",
        "/a\u{7F}b", "/tab\there",
    ]

    @Test(arguments: samples)
    func matchesTheArrayEncoders(_ text: String) throws {
        let uri = Array(text.utf8)
        for upper in [true, false] {
            let expected = upper ? ForwardedURI.proxyEncoded(uri) : ForwardedURI.escaped(uri)
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 8)
            defer { storage.deallocate() }
            var writer = AJPMessageWriter(buffer: storage)
            try uri.withUnsafeBytes { try writer.appendEncodedURI($0, upperCaseHex: upper) }
            let packet = Array(writer.finish())
            let length = Int(packet[4]) << 8 | Int(packet[5])
            #expect(length == expected.count)
            #expect(Array(packet[6..<(6 + length)]) == expected)
            #expect(packet.last == 0)
        }
    }

    @Test func encodedURIThatDoesNotFitThrows() {
        let uri = [UInt8](repeating: 0x20, count: 3000)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 8)
        defer { storage.deallocate() }
        var writer = AJPMessageWriter(buffer: storage)
        #expect(throws: AJPError(.messageTooLarge)) {
            try uri.withUnsafeBytes { try writer.appendEncodedURI($0, upperCaseHex: true) }
        }
    }

    @Test(arguments: ["/", "/a", "/a/b.jsp", "/a/", "/a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "/.x", "/..x",
                      "/a;x", "/a/.hidden/b", "//", "a", "", "/a/b/", "/x/...", "/x/.../y"])
    func isNormalAgreesWithNormalize(_ text: String) {
        let uri = Array(text.utf8)
        let fast = uri.withUnsafeBytes { URINormalizer.isNormal($0) }
        if fast {
            #expect(URINormalizer.normalize(uri) == .path(uri), "\(text) is normal but normalize changes it")
        }
        let expectedFast = ["/", "/a", "/a/b.jsp", "/a/", "/.x", "/..x", "/a/.hidden/b", "/a/b/", "/x/...",
                            "/x/.../y"].contains(text)
        #expect(fast == expectedFast)
    }
}
