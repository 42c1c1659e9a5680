import CJKCore

/// How the request body travels (reference §1.8).
public enum RequestBodyMode: Equatable, Sendable {
    /// No body: the FORWARD_REQUEST carries `content-length: 0`.
    case none
    /// A body of exactly this many bytes; the first packet is sent unsolicited.
    case contentLength(UInt64)
    /// Chunked or of unknown length: every Content-Length header is dropped and Tomcat pulls
    /// the body with GET_BODY_CHUNK until an empty body packet.
    case chunked

    /// Decides the mode as mod_jk does: `Transfer-Encoding: chunked` or `JK_IGNORE_CL` (with a
    /// positive length) make it chunked; sub-requests never carry a body; otherwise the
    /// Content-Length header parsed as an unsigned 64-bit number (garbage or overflow: 0, as
    /// strtoull into mod_jk's field would leave it).
    public static func of(_ request: sjk_request_t) -> RequestBodyMode {
        var contentLength: UInt64 = 0
        var chunked = false
        for header in UnsafeBufferPointer(start: request.headers, count: request.header_count) {
            guard let name = header.name.bytes else { continue }
            if ByteCompare.equalIgnoringASCIICase(name, "CONTENT-LENGTH") {
                contentLength = parseUnsigned(header.value.bytes)
            } else if ByteCompare.equalIgnoringASCIICase(name, "TRANSFER-ENCODING"),
                      let value = header.value.bytes, containsChunked(value) {
                chunked = true
            }
        }
        if request.is_subrequest != 0 { return .none }
        if chunked || (request.ignore_content_length != 0 && contentLength > 0) { return .chunked }
        return contentLength > 0 ? .contentLength(contentLength) : .none
    }

    /// Leading decimal digits as UInt64; 0 when there are none or on overflow.
    static func parseUnsigned(_ bytes: UnsafeRawBufferPointer?) -> UInt64 {
        guard let bytes else { return 0 }
        var value: UInt64 = 0
        var index = 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - 0x30))
            if overflow1 || overflow2 { return 0 }
            value = sum
            index += 1
        }
        return value
    }

    private static func containsChunked(_ value: UnsafeRawBufferPointer) -> Bool {
        let needle: StaticString = "CHUNKED"
        let length = needle.utf8CodeUnitCount
        guard value.count >= length else { return false }
        for start in 0...(value.count - length) {
            let window = UnsafeRawBufferPointer(rebasing: value[start..<(start + length)])
            if ByteCompare.equalIgnoringASCIICase(window, needle) { return true }
        }
        return false
    }
}

/// The req_uri of a FORWARD_REQUEST and how it is written (JkOptions ForwardURI*, reference §3.5).
public enum ForwardedURIForm {
    /// Sent as it is (ForwardURICompat, ForwardURICompatUnparsed).
    case verbatim(UnsafeRawBufferPointer)
    /// Percent-encoded with upper-case hex (ForwardURIProxy, the default).
    case proxyEncoded(UnsafeRawBufferPointer)
    /// Percent-encoded with lower-case hex (ForwardURIEscaped).
    case escaped(UnsafeRawBufferPointer)
}

/// Per-worker and per-choice values that go into a FORWARD_REQUEST besides the request itself.
public struct AJPForwardContext {
    /// The forwarded request URI and its encoding.
    public var uri: ForwardedURIForm
    /// The worker's `secret`, or nil.
    public var secret: UnsafeRawBufferPointer?
    /// The route of the first lb member chosen (lb requests only).
    public var route: UnsafeRawBufferPointer?
    /// JK_LB_ACTIVATION value: "ACT", "DIS" or "STP".
    public var activation: StaticString

    /// Creates a context.
    public init(uri: ForwardedURIForm, secret: UnsafeRawBufferPointer?, route: UnsafeRawBufferPointer?,
                activation: StaticString) {
        self.uri = uri
        self.secret = secret
        self.route = route
        self.activation = activation
    }
}

/// Writes the FORWARD_REQUEST packet exactly as mod_jk 1.2.48 fills it (reference §1.5, A.1).
public enum AJPForwardRequestEncoder {
    /// Encodes `request` into `writer` and returns the finished packet. Throws
    /// `messageTooLarge` when it does not fit (→ HTTP 413, nothing sent).
    public static func encode(_ request: sjk_request_t, body: RequestBodyMode, context: AJPForwardContext,
                              into writer: inout AJPMessageWriter) throws(AJPError) -> UnsafeRawBufferPointer {
        let method = request.method.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0)
        let methodCode = AJPMethod.code(for: method)
        try writer.appendByte(AJPMessageType.forwardRequest.rawValue)
        try writer.appendByte(methodCode)
        try writer.appendString(request.protocol.bytes)
        switch context.uri {
        case .verbatim(let bytes): try writer.appendString(bytes)
        case .proxyEncoded(let bytes): try writer.appendEncodedURI(bytes, upperCaseHex: true)
        case .escaped(let bytes): try writer.appendEncodedURI(bytes, upperCaseHex: false)
        }
        try writer.appendString(request.remote_addr.bytes)
        try writer.appendString(request.remote_host.bytes)
        try writer.appendString(request.server_name.bytes)
        try writer.appendInt(UInt16(truncatingIfNeeded: request.server_port))
        try writer.appendByte(request.is_ssl != 0 ? 1 : 0)
        try encodeHeaders(request, body: body, into: &writer)
        try encodeAttributes(request, methodCode: methodCode, method: method, context: context, into: &writer)
        return writer.finish()
    }

    private static func encodeHeaders(_ request: sjk_request_t, body: RequestBodyMode,
                                      into writer: inout AJPMessageWriter) throws(AJPError) {
        // One pass: the count is written as 0 and patched at the end, so every name is
        // looked up once.
        let dropContentLength = body == .chunked
        var sawContentLength = false
        var count = 0
        let countOffset = writer.count
        try writer.appendInt(0)
        for header in UnsafeBufferPointer(start: request.headers, count: request.header_count) {
            guard let name = header.name.bytes else { continue }
            if let code = AJPRequestHeader.code(for: name) {
                if code == AJPRequestHeader.contentLengthCode {
                    if dropContentLength { continue }
                    sawContentLength = true
                }
                try writer.appendInt(code)
            } else {
                try writer.appendString(name)
            }
            try writer.appendString(header.value.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0))
            count &+= 1
        }
        if !dropContentLength && !sawContentLength {
            try writer.appendInt(AJPRequestHeader.contentLengthCode)
            try writer.appendString("0")
            count &+= 1
        }
        guard count <= 0xFFFF else { throw AJPError(.messageTooLarge, "too many headers") }
        writer.patchInt(UInt16(truncatingIfNeeded: count), at: countOffset)
    }

    private static func encodeAttributes(_ request: sjk_request_t, methodCode: UInt8,
                                         method: UnsafeRawBufferPointer, context: AJPForwardContext,
                                         into writer: inout AJPMessageWriter) throws(AJPError) {
        if let secret = context.secret {
            try writer.appendByte(AJPAttribute.secret)
            try writer.appendString(secret)
        }
        if let user = request.remote_user.nonEmptyBytes {
            try writer.appendByte(AJPAttribute.remoteUser)
            try writer.appendString(user)
        }
        if let authType = request.auth_type.nonEmptyBytes {
            try writer.appendByte(AJPAttribute.authType)
            try writer.appendString(authType)
        }
        if let query = request.query.bytes {
            try writer.appendByte(AJPAttribute.queryString)
            try writer.appendString(query)
        }
        if let route = context.route {
            try writer.appendByte(AJPAttribute.route)
            try writer.appendString(route)
        }
        if request.is_ssl != 0 {
            try encodeSSL(request, into: &writer)
        }
        if methodCode == AJPMethod.stored {
            try writer.appendByte(AJPAttribute.storedMethod)
            try writer.appendString(method)
        }
        if request.is_ssl != 0, let proto = request.ssl_protocol.nonEmptyBytes {
            try appendAttribute("AJP_SSL_PROTOCOL", proto, into: &writer)
        }
        // Fixed attribute names as prebuilt bytes: 0x0A, then the name as an AJP string.
        try writer.appendRaw("\u{0A}\0\u{0F}AJP_REMOTE_PORT\0")
        try writer.appendString(request.remote_port.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0))
        try writer.appendRaw("\u{0A}\0\u{0E}AJP_LOCAL_ADDR\0")
        try writer.appendString(request.local_addr.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0))
        try writer.appendRaw("\u{0A}\0\u{10}JK_LB_ACTIVATION\0")
        try writer.appendString(context.activation)
        for pair in UnsafeBufferPointer(start: request.env_attributes, count: request.env_attribute_count) {
            guard let name = pair.name.bytes, let value = pair.value.bytes else { continue }
            try appendAttribute(name, value, into: &writer)
        }
        try writer.appendByte(AJPAttribute.areDone)
    }

    private static func encodeSSL(_ request: sjk_request_t,
                                  into writer: inout AJPMessageWriter) throws(AJPError) {
        if let cert = request.ssl_cert.nonEmptyBytes {
            try writer.appendByte(AJPAttribute.sslCert)
            try writer.appendString(cert)
        }
        if let cipher = request.ssl_cipher.nonEmptyBytes {
            try writer.appendByte(AJPAttribute.sslCipher)
            try writer.appendString(cipher)
        }
        if let session = request.ssl_session.nonEmptyBytes {
            try writer.appendByte(AJPAttribute.sslSession)
            try writer.appendString(session)
        }
        if request.options & UInt32(SJK_OPT_FORWARD_KEY_SIZE) != 0, let keySize = request.ssl_key_size.nonEmptyBytes {
            try writer.appendByte(AJPAttribute.sslKeySize)
            try writer.appendInt(UInt16(truncatingIfNeeded: Int(RequestBodyMode.parseUnsigned(keySize) & 0xFFFF)))
        }
    }

    private static func appendAttribute(_ name: StaticString, _ value: UnsafeRawBufferPointer?,
                                        into writer: inout AJPMessageWriter) throws(AJPError) {
        try writer.appendByte(AJPAttribute.requestAttribute)
        try writer.appendString(name)
        try writer.appendString(value ?? UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private static func appendAttribute(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                                        into writer: inout AJPMessageWriter) throws(AJPError) {
        try writer.appendByte(AJPAttribute.requestAttribute)
        try writer.appendString(name)
        try writer.appendString(value)
    }
}
