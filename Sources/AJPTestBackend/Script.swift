/// What one request asks the backend to do, chosen from its `req_uri` (normal mode).
///
/// The URI is split at `/`; path parameters (`;...`) are removed from each segment; the first
/// segment that is a keyword with valid arguments picks the script, wherever it is in the path,
/// so a mount prefix such as `/w1/status/503` works. Anything else is `.normal`.
enum Script: Equatable {
    /// 200, `node=<name> uri=<req_uri>\n`.
    case normal
    /// 200, `len=<n> fnv1a64=<16 hex digits>\n` of the request body.
    case echo
    /// The status with this reason, body `node=<name> status=<code>\n`.
    case status(code: UInt16, reason: [UInt8])
    /// The status, reason = digits, no body.
    case empty(code: UInt16)
    /// n bytes of the pattern `a`...`z` repeated (byte i = 'a' + i % 26).
    case size(Int)
    /// Sleep, then the normal reply.
    case delay(milliseconds: Int)
    /// Normal reply with END_RESPONSE(reuse=0), then close.
    case reuse0
    /// A broken or missing reply.
    case fault(Fault)
    /// Headers, chunk, zero-length flush chunk, chunk, end.
    case flush
    /// 302 with a coded Location header.
    case location
    /// Two coded Set-Cookie headers.
    case cookie
    /// Echo of the request headers and attributes.
    case headers
    /// 200 with header values that carry CR LF, LF and NUL (response splitting attempts).
    case crlf
    /// 200 with a mixed-case `Content-Type` (`Text/HTML;Charset=UTF-8`, coded) and a mixed-case
    /// header value the connector must leave alone.
    case ctype
    /// Fast mode's fixed reply.
    case fast

    /// The faults behind `/fault/<name>`.
    enum Fault: String {
        /// RST (SO_LINGER 0) before any reply, without reading the body.
        case reset
        /// Read the body, then close (FIN) without replying.
        case close
        /// Read the body, ask for more once as Tomcat does after content-length bytes (GET_BODY_CHUNK,
        /// answered by the empty packet), then close (FIN) without replying.
        case bodyclose
        /// Never reply; record what arrives until the peer closes.
        case hang
        /// Normal reply whose SEND_HEADERS packet has magic 0x1234 instead of 0x4142.
        case badmagic
        /// A header claiming a 65000-byte payload, then 8 bytes, nothing more.
        case oversized
        /// A header claiming 100 bytes, 10 bytes, then close.
        case truncated
        /// A valid frame with prefix byte 0x42, then the normal reply.
        case unknowntype
        /// SEND_HEADERS with a header coded 0xA0FF, then body and end.
        case badheadercode
        /// SEND_HEADERS twice, then body and end.
        case twoheaders
        /// SEND_HEADERS, a SEND_BODY_CHUNK whose length (100) exceeds its payload, then end.
        case chunktoolarge
        /// SEND_HEADERS and one body chunk, then close.
        case midbody
        /// SEND_HEADERS and the first half of a body chunk packet, then close.
        case midchunk
        /// The normal reply (headers, three body chunks, end) written one byte at a time, 2 ms apart.
        case trickle
        /// The first 7 bytes of SEND_HEADERS, then nothing until the peer closes.
        case stall
        /// SEND_HEADERS with 500 headers (`X-H0: v` ... `X-H499: v`), a body chunk, end.
        case manyheaders
        /// SEND_HEADERS that declares 65535 headers and carries one.
        case headercount
    }

    /// The script for `uri`.
    init(uri: [UInt8]) {
        let segments = uri.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { segment in
            Array(segment.prefix { $0 != UInt8(ascii: ";") })
        }
        for index in segments.indices {
            if let script = Script(keyword: segments[index], arguments: segments[(index + 1)...]) {
                self = script
                return
            }
        }
        self = .normal
    }

    /// The script named by `keyword` when its arguments are valid.
    private init?(keyword: [UInt8], arguments: ArraySlice<[UInt8]>) {
        let first = arguments.first.map { String(decoding: $0, as: UTF8.self) }
        switch String(decoding: keyword, as: UTF8.self) {
        case "echo": self = .echo
        case "reuse0": self = .reuse0
        case "flush": self = .flush
        case "location": self = .location
        case "cookie": self = .cookie
        case "headers": self = .headers
        case "crlf": self = .crlf
        case "ctype": self = .ctype
        case "status":
            guard let code = first.flatMap({ UInt16($0) }) else { return nil }
            let reasonSegment = arguments.dropFirst().first
            self = .status(code: code, reason: reasonSegment.map(percentDecoded) ?? Array(String(code).utf8))
        case "empty":
            guard let code = first.flatMap({ UInt16($0) }) else { return nil }
            self = .empty(code: code)
        case "size":
            guard let count = first.flatMap({ Int($0) }), count >= 0, count <= 1 << 31 else { return nil }
            self = .size(count)
        case "delay":
            guard let milliseconds = first.flatMap({ Int($0) }), milliseconds >= 0 else { return nil }
            self = .delay(milliseconds: milliseconds)
        case "fault":
            guard let fault = first.flatMap({ Fault(rawValue: $0) }) else { return nil }
            self = .fault(fault)
        default:
            return nil
        }
    }
}

/// `%XX` sequences replaced by their byte; malformed escapes are kept literally.
func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
    func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
           let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
            out.append(high << 4 | low)
            index += 3
        } else {
            out.append(bytes[index])
            index += 1
        }
    }
    return out
}
