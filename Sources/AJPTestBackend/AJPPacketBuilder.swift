/// Builds one container → web server packet: writes the `AB` header with a zero length, appends
/// the payload, and patches the length in `bytes`. Strings are written the way Tomcat writes
/// them: control characters other than TAB (and 0x7F) become spaces.
///
/// Nothing is size-checked against the packet size: faults deliberately build bad packets.
struct AJPPacketBuilder {
    /// The packet so far; the length field is correct whenever it is read through `bytes`.
    private var storage: [UInt8]

    /// Starts a packet with the given magic (normally `AB`).
    init(magic: UInt16 = AJPWire.responseMagic, capacity: Int = 64) {
        storage = []
        storage.reserveCapacity(capacity)
        storage += [UInt8(magic >> 8), UInt8(magic & 0xFF), 0, 0]
    }

    /// The finished packet, header length patched to the payload size (truncated to 16 bits).
    var bytes: [UInt8] {
        var out = storage
        let length = out.count - AJPWire.headerLength
        out[2] = UInt8((length >> 8) & 0xFF)
        out[3] = UInt8(length & 0xFF)
        return out
    }

    /// Appends one byte.
    mutating func appendByte(_ value: UInt8) {
        storage.append(value)
    }

    /// Appends a big-endian 16-bit int.
    mutating func appendInt(_ value: UInt16) {
        storage.append(UInt8(value >> 8))
        storage.append(UInt8(value & 0xFF))
    }

    /// Appends raw bytes.
    mutating func appendBytes<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        storage.append(contentsOf: bytes)
    }

    /// Appends an AJP string (length, bytes with controls replaced, NUL).
    mutating func appendString<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        appendInt(UInt16(truncatingIfNeeded: bytes.count))
        for byte in bytes {
            storage.append((byte < 0x20 && byte != 0x09) || byte == 0x7F ? 0x20 : byte)
        }
        storage.append(0)
    }

    /// Appends an AJP string from text.
    mutating func appendString(_ text: String) {
        appendString(Array(text.utf8))
    }
}

/// A response header name: coded (0xA0xx) or a string.
enum AJPResponseHeaderName {
    /// A coded name from the §1.7 table (or a deliberately bad code).
    case coded(UInt16)
    /// A literal name.
    case string(String)
}

/// The container → web server packets this backend sends (reference §1.4, §1.7).
enum AJPResponse {
    /// CPONG: `41 42 00 01 09`.
    static let cpong: [UInt8] = [0x41, 0x42, 0x00, 0x01, AJPWire.cpongReply]

    /// SEND_HEADERS with the given status, reason and headers.
    static func sendHeaders(status: UInt16, reason: [UInt8],
                            headers: [(AJPResponseHeaderName, [UInt8])],
                            magic: UInt16 = AJPWire.responseMagic) -> [UInt8] {
        var builder = AJPPacketBuilder(magic: magic)
        builder.appendByte(AJPWire.sendHeaders)
        builder.appendInt(status)
        builder.appendString(reason)
        builder.appendInt(UInt16(truncatingIfNeeded: headers.count))
        for (name, value) in headers {
            switch name {
            case .coded(let code): builder.appendInt(code)
            case .string(let text): builder.appendString(text)
            }
            builder.appendString(value)
        }
        return builder.bytes
    }

    /// SEND_BODY_CHUNK carrying `data`, with Tomcat's extra trailing 0x00 that the length
    /// does not count. A zero-length chunk is Tomcat's flush packet `41 42 00 04 03 00 00 00`.
    static func bodyChunk<Bytes: Collection>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var builder = AJPPacketBuilder(capacity: data.count + 8)
        builder.appendByte(AJPWire.sendBodyChunk)
        builder.appendInt(UInt16(truncatingIfNeeded: data.count))
        builder.appendBytes(data)
        builder.appendByte(0)
        return builder.bytes
    }

    /// END_RESPONSE: `41 42 00 02 05 01` (reuse) or `... 05 00` (close).
    static func endResponse(reuse: Bool) -> [UInt8] {
        [0x41, 0x42, 0x00, 0x02, AJPWire.endResponse, reuse ? 1 : 0]
    }

    /// GET_BODY_CHUNK asking for `length` bytes (Tomcat asks packetSize − 6).
    static func getBodyChunk(_ length: Int) -> [UInt8] {
        var builder = AJPPacketBuilder()
        builder.appendByte(AJPWire.getBodyChunk)
        builder.appendInt(UInt16(truncatingIfNeeded: length))
        return builder.bytes
    }
}
