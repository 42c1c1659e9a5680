/// A minimal JSON value with ordered object keys, so every recorded line has a stable, readable
/// field order (Foundation's serializer sorts or scrambles keys). Output is one line: every
/// control character (C0, DEL, C1) and U+2028/U+2029 is escaped, so line-splitting readers that
/// also break at U+0085 or U+2028 (Python's `str.splitlines`) still see one record per line.
enum JSONValue {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A string; escaped on output.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object whose keys keep the order given.
    case object([(String, JSONValue)])

    /// A string made from wire bytes: UTF-8 when the bytes are valid UTF-8, otherwise each byte is
    /// read as ISO-8859-1 (the way Tomcat reads header bytes), so no byte is ever lost. `nil` (an
    /// AJP null string) becomes JSON `null`.
    static func text<Bytes: Collection>(_ bytes: Bytes?) -> JSONValue where Bytes.Element == UInt8 {
        guard let bytes else { return .null }
        return .string(decodeWireText(bytes))
    }

    /// Lower-case hexadecimal of `bytes`, no separators.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> JSONValue where Bytes.Element == UInt8 {
        .string(hexString(bytes))
    }

    /// The compact JSON text of this value.
    var serialized: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let value):
            out += value ? "true" : "false"
        case .int(let value):
            out += String(value)
        case .string(let value):
            JSONValue.writeQuoted(value, into: &out)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeQuoted(member.0, into: &out)
                out += ":"
                member.1.write(into: &out)
            }
            out += "}"
        }
    }

    private static func writeQuoted(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\\u00" + hexString([UInt8(scalar.value)])
                } else if scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u" + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// Wire bytes as text: UTF-8 if valid, else ISO-8859-1 byte by byte.
func decodeWireText<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    if let text = String(validating: bytes, as: UTF8.self) {
        return text
    }
    var text = ""
    text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
    return text
}

/// Lower-case hexadecimal of `bytes`, no separators.
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
