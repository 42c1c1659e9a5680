/// Why a packet could not be decoded; `offset` counts from the first byte of the whole packet
/// (header included), so it points straight into the recorded hex.
struct AJPDecodeError: Error, CustomStringConvertible {
    /// What was wrong.
    var message: String
    /// Byte offset in the packet where decoding stopped.
    var offset: Int

    /// "message at byte N".
    var description: String { "\(message) at byte \(offset)" }
}

/// Reads AJP data types (§1.3) from one packet's payload. Every read checks the remaining
/// payload length (never the buffer capacity) and string reads verify the NUL terminator.
struct AJPPayloadReader {
    private let packet: [UInt8]
    /// Offset of the next unread byte in the packet.
    private(set) var offset: Int

    /// Reads the payload of `packet`, which must include its 4-byte header.
    init(packet: [UInt8]) {
        self.packet = packet
        self.offset = min(AJPWire.headerLength, packet.count)
    }

    /// Bytes not yet read.
    var remaining: Int { packet.count - offset }

    /// Reads one byte.
    mutating func readByte() throws(AJPDecodeError) -> UInt8 {
        guard remaining >= 1 else { throw AJPDecodeError(message: "byte past end of packet", offset: offset) }
        defer { offset += 1 }
        return packet[offset]
    }

    /// Reads a big-endian 16-bit int without consuming it.
    func peekInt() throws(AJPDecodeError) -> UInt16 {
        guard remaining >= 2 else { throw AJPDecodeError(message: "int past end of packet", offset: offset) }
        return UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
    }

    /// Reads a big-endian 16-bit int.
    mutating func readInt() throws(AJPDecodeError) -> UInt16 {
        let value = try peekInt()
        offset += 2
        return value
    }

    /// Reads an AJP string: length, bytes, NUL. Returns nil for the null string (length 0xFFFF).
    mutating func readString() throws(AJPDecodeError) -> [UInt8]? {
        let start = offset
        let length = try readInt()
        if length == 0xFFFF { return nil }
        guard remaining >= Int(length) + 1 else {
            throw AJPDecodeError(message: "string of length \(length) past end of packet", offset: start)
        }
        let bytes = Array(packet[offset..<offset + Int(length)])
        offset += Int(length)
        guard packet[offset] == 0 else {
            throw AJPDecodeError(message: "string not NUL-terminated", offset: offset)
        }
        offset += 1
        return bytes
    }

    /// Reads `count` raw bytes.
    mutating func readBytes(_ count: Int) throws(AJPDecodeError) -> ArraySlice<UInt8> {
        guard remaining >= count else {
            throw AJPDecodeError(message: "\(count) bytes past end of packet", offset: offset)
        }
        defer { offset += count }
        return packet[offset..<offset + count]
    }
}
