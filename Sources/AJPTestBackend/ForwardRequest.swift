/// A decoded FORWARD_REQUEST (reference §1.5). Strings are kept as raw bytes, and nil where the
/// wire carried the null string (0xFFFF), so the recording loses nothing.
struct ForwardRequest {
    /// One request header. `code` is set for coded names (0xA0xx); `name` is then the lower-case
    /// table name, or nil for a code outside the table.
    struct Header {
        /// The coded name, if the name was coded.
        var code: UInt16?
        /// The header name as text bytes (string names keep their case).
        var name: [UInt8]?
        /// The header value.
        var value: [UInt8]?
    }

    /// One attribute, in wire order.
    enum Attribute {
        /// A single-string attribute (codes 0x01–0x09, 0x0C, 0x0D).
        case string(code: UInt8, value: [UInt8]?)
        /// `req_attribute` 0x0A: name and value strings.
        case requestAttribute(name: [UInt8]?, value: [UInt8]?)
        /// `ssl_key_size` 0x0B: an int.
        case keySize(UInt16)
        /// A code this backend does not know. Like Tomcat, it is skipped as a single byte.
        case unknown(code: UInt8)
    }

    /// The method byte.
    var methodCode: UInt8 = 0
    /// `protocol`, e.g. `HTTP/1.1`.
    var protocolName: [UInt8]?
    /// `req_uri`, without the query string.
    var requestURI: [UInt8]?
    /// `remote_addr`.
    var remoteAddress: [UInt8]?
    /// `remote_host`; nil when mod_jk sent 0xFFFF.
    var remoteHost: [UInt8]?
    /// `server_name`.
    var serverName: [UInt8]?
    /// `server_port`.
    var serverPort: UInt16 = 0
    /// The raw `is_ssl` byte (non-zero means true).
    var isSSL: UInt8 = 0
    /// Headers in wire order.
    var headers: [Header] = []
    /// Attributes in wire order, without the 0xFF terminator.
    var attributes: [Attribute] = []
    /// Bytes after the 0xFF terminator (should be 0).
    var trailingByteCount = 0

    /// Decodes `packet` (whole packet, header included, prefix byte 0x02).
    init(packet: [UInt8]) throws(AJPDecodeError) {
        var reader = AJPPayloadReader(packet: packet)
        let prefix = try reader.readByte()
        guard prefix == AJPWire.forwardRequest else {
            throw AJPDecodeError(message: "prefix \(prefix) is not FORWARD_REQUEST", offset: 4)
        }
        methodCode = try reader.readByte()
        protocolName = try reader.readString()
        requestURI = try reader.readString()
        remoteAddress = try reader.readString()
        remoteHost = try reader.readString()
        serverName = try reader.readString()
        serverPort = try reader.readInt()
        isSSL = try reader.readByte()
        let headerCount = try reader.readInt()
        for _ in 0..<headerCount {
            let first = try reader.peekInt()
            if first & 0xFF00 == 0xA000 {
                _ = try reader.readInt()
                let name = AJPWire.requestHeaderName(code: first).map { Array($0.utf8) }
                headers.append(Header(code: first, name: name, value: try reader.readString()))
            } else {
                let name = try reader.readString()
                headers.append(Header(code: nil, name: name, value: try reader.readString()))
            }
        }
        while true {
            let code = try reader.readByte()
            switch code {
            case AJPWire.attributesDone:
                trailingByteCount = reader.remaining
                return
            case AJPWire.requestAttributeCode:
                let name = try reader.readString()
                attributes.append(.requestAttribute(name: name, value: try reader.readString()))
            case AJPWire.sslKeySizeCode:
                attributes.append(.keySize(try reader.readInt()))
            case 0x01...0x09, AJPWire.secretCode, AJPWire.storedMethodAttributeCode:
                attributes.append(.string(code: code, value: try reader.readString()))
            default:
                attributes.append(.unknown(code: code))
            }
        }
    }

    /// The method name: from the table, or the stored_method attribute for 0xFF; nil otherwise.
    var methodName: [UInt8]? {
        if let name = AJPWire.methodName(code: methodCode) { return Array(name.utf8) }
        if methodCode == AJPWire.storedMethodCode { return stringAttribute(AJPWire.storedMethodAttributeCode) }
        return nil
    }

    /// The value of the first single-string attribute with `code`.
    func stringAttribute(_ code: UInt8) -> [UInt8]? {
        for case .string(let attributeCode, let value) in attributes where attributeCode == code {
            return value
        }
        return nil
    }

    /// The `content-length` headers' values (coded 0xA008 or any-case string name).
    var contentLengthValues: [[UInt8]?] {
        headers.filter { header in
            header.code == 0xA008
                || (header.code == nil && header.name.map { $0.lowercasedASCII == Array("content-length".utf8) } == true)
        }.map(\.value)
    }

    /// Why Tomcat 10.1 would refuse to process this request with a 500 (reference §1.5.1, §1.5.2),
    /// or nil when it is acceptable.
    var tomcatRejection: String? {
        if methodCode != AJPWire.storedMethodCode && AJPWire.methodName(code: methodCode) == nil {
            return "invalid method code \(methodCode)"
        }
        if methodCode == AJPWire.storedMethodCode && methodName == nil {
            return "method code 0xFF without stored_method attribute"
        }
        for header in headers where header.code != nil && header.name == nil {
            return "invalid request header code 0x" + String(header.code!, radix: 16, uppercase: true)
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// The bytes with ASCII A–Z mapped to a–z.
    var lowercasedASCII: [UInt8] {
        map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }
}
