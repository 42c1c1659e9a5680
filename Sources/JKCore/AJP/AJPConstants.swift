/// Packet prefix codes (reference §1.4). An open type: unknown codes survive decoding.
public struct AJPMessageType: Hashable, Sendable, CustomStringConvertible {
    /// The prefix byte.
    public var rawValue: UInt8
    /// Creates a type from its prefix byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// JK_AJP13_FORWARD_REQUEST 2
    public static let forwardRequest = AJPMessageType(rawValue: 2)
    /// JK_AJP13_SEND_BODY_CHUNK 3
    public static let sendBodyChunk = AJPMessageType(rawValue: 3)
    /// JK_AJP13_SEND_HEADERS 4
    public static let sendHeaders = AJPMessageType(rawValue: 4)
    /// JK_AJP13_END_RESPONSE 5
    public static let endResponse = AJPMessageType(rawValue: 5)
    /// JK_AJP13_GET_BODY_CHUNK 6
    public static let getBodyChunk = AJPMessageType(rawValue: 6)
    /// JK_AJP13_SHUTDOWN 7
    public static let shutdown = AJPMessageType(rawValue: 7)
    /// JK_AJP13_PING_REQUEST 8
    public static let ping = AJPMessageType(rawValue: 8)
    /// AJP13_CPONG_REPLY 9
    public static let cpongReply = AJPMessageType(rawValue: 9)
    /// AJP13_CPING_REQUEST 10
    public static let cpingRequest = AJPMessageType(rawValue: 10)

    /// The decimal code.
    public var description: String { "type \(rawValue)" }
}

/// Attribute codes written after the request headers (reference §1.5.3).
public enum AJPAttribute {
    /// SC_A_REMOTE_USER 0x03
    public static let remoteUser: UInt8 = 0x03
    /// SC_A_AUTH_TYPE 0x04
    public static let authType: UInt8 = 0x04
    /// SC_A_QUERY_STRING 0x05
    public static let queryString: UInt8 = 0x05
    /// SC_A_ROUTE 0x06 (JVM route)
    public static let route: UInt8 = 0x06
    /// SC_A_SSL_CERT 0x07
    public static let sslCert: UInt8 = 0x07
    /// SC_A_SSL_CIPHER 0x08
    public static let sslCipher: UInt8 = 0x08
    /// SC_A_SSL_SESSION 0x09
    public static let sslSession: UInt8 = 0x09
    /// SC_A_REQ_ATTRIBUTE 0x0A: name and value strings
    public static let requestAttribute: UInt8 = 0x0A
    /// SC_A_SSL_KEY_SIZE 0x0B: an int, not a string
    public static let sslKeySize: UInt8 = 0x0B
    /// SC_A_SECRET 0x0C
    public static let secret: UInt8 = 0x0C
    /// SC_A_STORED_METHOD 0x0D
    public static let storedMethod: UInt8 = 0x0D
    /// SC_A_ARE_DONE 0xFF
    public static let areDone: UInt8 = 0xFF
}

/// HTTP method codes (reference §1.5.1). mod_jk compares the method exactly and
/// case-sensitively; anything else is `stored` (0xFF) plus attribute 0x0D.
public enum AJPMethod {
    /// SC_M_JK_STORED 0xFF
    public static let stored: UInt8 = 0xFF

    /// Method names in code order: code = index + 1.
    static let names: [StaticString] = [
        "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",
        "MOVE", "LOCK", "UNLOCK", "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN", "CHECKOUT", "UNCHECKOUT",
        "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE", "BASELINE-CONTROL", "MKACTIVITY",
    ]

    /// The code for a method name, or `stored` when the table has none.
    public static func code(for method: UnsafeRawBufferPointer) -> UInt8 {
        // The common methods without touching the table.
        if method.count == 3, ByteCompare.equal(method, "GET") { return 2 }
        if method.count == 4 {
            if ByteCompare.equal(method, "POST") { return 4 }
            if ByteCompare.equal(method, "HEAD") { return 3 }
        }
        for (index, name) in names.enumerated() where name.utf8CodeUnitCount == method.count {
            if ByteCompare.equal(method, name) { return UInt8(truncatingIfNeeded: index + 1) }
        }
        return stored
    }
}

/// Request header names that mod_jk sends as codes (reference §1.5.2), with its quirk: only
/// the exact name `Accept` is coded, never `Accept-Charset`/`-Encoding`/`-Language`.
public enum AJPRequestHeader {
    /// SC_REQ_CONTENT_LENGTH 0xA008
    public static let contentLengthCode: UInt16 = 0xA008

    /// (upper-case name, code) pairs mod_jk recognises, compared case-insensitively.
    static let coded: [(StaticString, UInt16)] = [
        ("ACCEPT", 0xA001), ("AUTHORIZATION", 0xA005), ("CONNECTION", 0xA006), ("CONTENT-TYPE", 0xA007),
        ("CONTENT-LENGTH", 0xA008), ("COOKIE", 0xA009), ("COOKIE2", 0xA00A), ("HOST", 0xA00B),
        ("PRAGMA", 0xA00C), ("REFERER", 0xA00D), ("USER-AGENT", 0xA00E),
    ]

    /// The code mod_jk uses for a header name, or nil to send the name as a string.
    public static func code(for name: UnsafeRawBufferPointer) -> UInt16? {
        // Dispatch on length and first letter: at most one full comparison (same table as `coded`).
        guard name.count >= 4, name.count <= 14, let first = name.first else { return nil }
        let candidate: (StaticString, UInt16)
        switch (name.count, ByteCompare.asciiUpper(first)) {
        case (4, UInt8(ascii: "H")): candidate = ("HOST", 0xA00B)
        case (6, UInt8(ascii: "A")): candidate = ("ACCEPT", 0xA001)
        case (6, UInt8(ascii: "C")): candidate = ("COOKIE", 0xA009)
        case (6, UInt8(ascii: "P")): candidate = ("PRAGMA", 0xA00C)
        case (7, UInt8(ascii: "C")): candidate = ("COOKIE2", 0xA00A)
        case (7, UInt8(ascii: "R")): candidate = ("REFERER", 0xA00D)
        case (10, UInt8(ascii: "C")): candidate = ("CONNECTION", 0xA006)
        case (10, UInt8(ascii: "U")): candidate = ("USER-AGENT", 0xA00E)
        case (12, UInt8(ascii: "C")): candidate = ("CONTENT-TYPE", 0xA007)
        case (13, UInt8(ascii: "A")): candidate = ("AUTHORIZATION", 0xA005)
        case (14, UInt8(ascii: "C")): candidate = ("CONTENT-LENGTH", 0xA008)
        default: return nil
        }
        return ByteCompare.equalIgnoringASCIICase(name, candidate.0) ? candidate.1 : nil
    }
}

/// Response header names sent as codes by the container (reference §1.7).
public enum AJPResponseHeader {
    /// The header name for a coded value, or nil when the code is unknown.
    public static func name(forCode code: UInt16) -> StaticString? {
        // A switch rather than `names[index]`: no array access on the response path.
        switch code {
        case 0xA001: return "Content-Type"
        case 0xA002: return "Content-Language"
        case 0xA003: return "Content-Length"
        case 0xA004: return "Date"
        case 0xA005: return "Last-Modified"
        case 0xA006: return "Location"
        case 0xA007: return "Set-Cookie"
        case 0xA008: return "Set-Cookie2"
        case 0xA009: return "Servlet-Engine"
        case 0xA00A: return "Status"
        case 0xA00B: return "WWW-Authenticate"
        default: return nil
        }
    }
}
