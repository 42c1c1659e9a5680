/// AJP/1.3 wire constants and code tables (reference §1.2–§1.7), written out independently of
/// JKCore so this backend can serve as an oracle for it.
enum AJPWire {
    /// Bytes of the packet header: 2 magic bytes and a 16-bit payload length.
    static let headerLength = 4
    /// Magic of packets sent by the web server: `0x12 0x34`.
    static let requestMagic: UInt16 = 0x1234
    /// Magic of packets sent by the container: `'A' 'B'`.
    static let responseMagic: UInt16 = 0x4142

    /// FORWARD_REQUEST prefix code (web server → container).
    static let forwardRequest: UInt8 = 2
    /// SEND_BODY_CHUNK prefix code (container → web server).
    static let sendBodyChunk: UInt8 = 3
    /// SEND_HEADERS prefix code (container → web server).
    static let sendHeaders: UInt8 = 4
    /// END_RESPONSE prefix code (container → web server).
    static let endResponse: UInt8 = 5
    /// GET_BODY_CHUNK prefix code (container → web server).
    static let getBodyChunk: UInt8 = 6
    /// CPONG_REPLY prefix code (container → web server).
    static let cpongReply: UInt8 = 9
    /// CPING_REQUEST prefix code (web server → container).
    static let cpingRequest: UInt8 = 10

    /// The name recorded for a packet whose first payload byte is `prefix` when a new exchange
    /// was expected (request body packets have no prefix and are named "body" by the reader).
    static func packetTypeName(prefix: UInt8) -> String {
        switch prefix {
        case 2: return "forward_request"
        case 3: return "send_body_chunk"
        case 4: return "send_headers"
        case 5: return "end_response"
        case 6: return "get_body_chunk"
        case 7: return "shutdown"
        case 8: return "ping"
        case 9: return "cpong_reply"
        case 10: return "cping"
        default: return "unknown"
        }
    }

    /// Method names for codes 1...27 (§1.5.1); index = code − 1.
    static let methodNames: [String] = [
        "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PROPFIND", "PROPPATCH",
        "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN",
        "CHECKOUT", "UNCHECKOUT", "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
        "BASELINE-CONTROL", "MKACTIVITY",
    ]

    /// SC_M_JK_STORED 0xFF: the method name travels in attribute 0x0D.
    static let storedMethodCode: UInt8 = 0xFF

    /// The method name of a code in the table, nil for 0xFF and invalid codes.
    static func methodName(code: UInt8) -> String? {
        code >= 1 && Int(code) <= methodNames.count ? methodNames[Int(code) - 1] : nil
    }

    /// Lower-case request header names for coded names 0xA001...0xA00E (§1.5.2); index = low byte − 1.
    static let requestHeaderNames: [String] = [
        "accept", "accept-charset", "accept-encoding", "accept-language", "authorization",
        "connection", "content-type", "content-length", "cookie", "cookie2", "host", "pragma",
        "referer", "user-agent",
    ]

    /// The lower-case name of a coded request header, nil when the low byte is 0 or > 14
    /// (Tomcat rejects those with 500).
    static func requestHeaderName(code: UInt16) -> String? {
        let low = Int(code & 0xFF)
        return low >= 1 && low <= requestHeaderNames.count ? requestHeaderNames[low - 1] : nil
    }

    /// Names of the attribute codes (§1.5.3) as recorded in the JSONL file.
    static func attributeName(code: UInt8) -> String? {
        switch code {
        case 0x01: return "context"
        case 0x02: return "servlet_path"
        case 0x03: return "remote_user"
        case 0x04: return "auth_type"
        case 0x05: return "query_string"
        case 0x06: return "route"
        case 0x07: return "ssl_cert"
        case 0x08: return "ssl_cipher"
        case 0x09: return "ssl_session"
        case 0x0A: return "req_attribute"
        case 0x0B: return "ssl_key_size"
        case 0x0C: return "secret"
        case 0x0D: return "stored_method"
        default: return nil
        }
    }

    /// SC_A_REQ_ATTRIBUTE 0x0A: two strings, name and value.
    static let requestAttributeCode: UInt8 = 0x0A
    /// SC_A_SSL_KEY_SIZE 0x0B: an int, not a string.
    static let sslKeySizeCode: UInt8 = 0x0B
    /// SC_A_SECRET 0x0C.
    static let secretCode: UInt8 = 0x0C
    /// SC_A_STORED_METHOD 0x0D.
    static let storedMethodAttributeCode: UInt8 = 0x0D
    /// SC_A_ARE_DONE 0xFF: ends the attribute list.
    static let attributesDone: UInt8 = 0xFF
}

/// Coded response header names (§1.7) this backend sends.
enum AJPResponseHeaderCode {
    /// SC_RESP_CONTENT_TYPE 0xA001.
    static let contentType: UInt16 = 0xA001
    /// SC_RESP_CONTENT_LENGTH 0xA003.
    static let contentLength: UInt16 = 0xA003
    /// SC_RESP_LOCATION 0xA006.
    static let location: UInt16 = 0xA006
    /// SC_RESP_SET_COOKIE 0xA007.
    static let setCookie: UInt16 = 0xA007
}
