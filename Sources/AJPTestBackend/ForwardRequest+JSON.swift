extension ForwardRequest {
    /// The `decoded` object recorded for a FORWARD_REQUEST. See main.swift for the field list.
    ///
    /// Headers are `[name, value]`, or `[name, value, {"code":"A00B"}]` for coded names (name is
    /// the lower-case table name, null for an unknown code). Attributes are `[name, value]` in
    /// wire order: single-string attributes by their spec name (`route`, `query_string`,
    /// `secret`, `stored_method`, ...), `req_attribute` as `["req_attribute", "NAME=value"]`,
    /// `ssl_key_size` with an integer value, unknown codes as `["unknown_0xNN", null]`.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("method", .object([("code", .int(Int(methodCode))), ("name", .text(methodName))])),
            ("protocol", .text(protocolName)),
            ("req_uri", .text(requestURI)),
            ("remote_addr", .text(remoteAddress)),
            ("remote_host", .text(remoteHost)),
            ("server_name", .text(serverName)),
            ("server_port", .int(Int(serverPort))),
            ("is_ssl", .bool(isSSL != 0)),
            ("headers", .array(headers.map(\.json))),
            ("attributes", .array(attributes.map(\.json))),
        ]
        if trailingByteCount > 0 {
            members.append(("trailing_bytes", .int(trailingByteCount)))
        }
        return .object(members)
    }
}

extension ForwardRequest.Header {
    /// `[name, value]` or `[name, value, {"code":"A0xx"}]`.
    var json: JSONValue {
        var pair: [JSONValue] = [.text(name), .text(value)]
        if let code {
            pair.append(.object([("code", .string(String(code, radix: 16, uppercase: true)))]))
        }
        return .array(pair)
    }

    /// The name as it is echoed by `/headers`: the lower-case table name for coded names.
    var displayName: [UInt8] {
        if let name { return name }
        return Array("?0x\(String(code ?? 0, radix: 16, uppercase: true))".utf8)
    }
}

extension ForwardRequest.Attribute {
    /// `[name, value]` as documented on `ForwardRequest.json`.
    var json: JSONValue {
        switch self {
        case .string(let code, let value):
            return .array([.string(AJPWire.attributeName(code: code) ?? "?"), .text(value)])
        case .requestAttribute(let name, let value):
            return .array([.string("req_attribute"),
                           .string(decodeWireText((name ?? []) + Array("=".utf8) + (value ?? [])))])
        case .keySize(let size):
            return .array([.string("ssl_key_size"), .int(Int(size))])
        case .unknown(let code):
            return .array([.string("unknown_0x" + hexString([code])), .null])
        }
    }

    /// `name: value` as echoed by `/headers`: the request attribute's own name for 0x0A, the
    /// spec name otherwise; prefixed with `@` so attributes stand apart from headers.
    var echoLine: [UInt8] {
        switch self {
        case .string(let code, let value):
            return Array("@\(AJPWire.attributeName(code: code) ?? "?"): ".utf8) + (value ?? Array("(null)".utf8))
        case .requestAttribute(let name, let value):
            return Array("@".utf8) + (name ?? Array("(null)".utf8)) + Array(": ".utf8) + (value ?? Array("(null)".utf8))
        case .keySize(let size):
            return Array("@ssl_key_size: \(size)".utf8)
        case .unknown(let code):
            return Array("@unknown_0x\(hexString([code])): (null)".utf8)
        }
    }
}
