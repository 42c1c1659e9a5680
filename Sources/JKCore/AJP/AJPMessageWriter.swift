/// Writes one AJP packet from the web server to the container into a caller-provided buffer
/// whose size is the worker's `max_packet_size`.
///
/// The 4-byte header (`12 34` + payload length) is reserved when the writer is created and
/// patched by `finish()`, like `_appendNode` back-patching in swift-asn1. Every append checks the
/// remaining capacity and throws `AJPError.messageTooLarge` instead of writing past the end —
/// the caller turns that into HTTP 413 (reference §1.3, T35).
public struct AJPMessageWriter {
    /// Size of the packet header (`12 34 LL LL`).
    public static let headerSize = 4

    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far, header included.
    public private(set) var count: Int

    /// The largest packet the 16-bit length field can describe.
    public static let maximumPacketSize = headerSize + 0xFFFF

    /// Starts a packet at the beginning of `buffer`; at most `maximumPacketSize` bytes of it
    /// are used.
    public init(buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
        self.count = Self.headerSize
    }

    /// Bytes still available (bounded by the buffer and by the 16-bit length field).
    public var remaining: Int { min(buffer.count, Self.maximumPacketSize) - count }

    /// Appends one byte.
    @inline(__always)
    public mutating func appendByte(_ value: UInt8) throws(AJPError) {
        guard remaining >= 1 else { throw AJPError(.messageTooLarge, "no room for a byte at \(count)") }
        buffer[count] = value
        count += 1
    }

    /// Appends an unsigned 16-bit big-endian integer.
    @inline(__always)
    public mutating func appendInt(_ value: UInt16) throws(AJPError) {
        guard remaining >= 2 else { throw AJPError(.messageTooLarge, "no room for an int at \(count)") }
        buffer[count] = UInt8(truncatingIfNeeded: value >> 8)
        buffer[count + 1] = UInt8(truncatingIfNeeded: value)
        count += 2
    }

    /// Appends an AJP string: length, bytes, 0x00. `nil` writes the null string `FF FF`.
    /// Strings of 0xFFFF bytes or more cannot be represented and do not fit any packet.
    public mutating func appendString(_ bytes: UnsafeRawBufferPointer?) throws(AJPError) {
        guard let bytes else {
            try appendInt(0xFFFF)
            return
        }
        let length = bytes.count
        guard length < 0xFFFF, remaining >= length + 3 else {
            throw AJPError(.messageTooLarge, "no room for a \(length)-byte string at \(count)")
        }
        try appendInt(UInt16(truncatingIfNeeded: length))
        if length > 0, let source = bytes.baseAddress, let target = buffer.baseAddress {
            (target + count).copyMemory(from: source, byteCount: length)
        }
        count += length
        buffer[count] = 0
        count += 1
    }

    /// Appends a string literal.
    public mutating func appendString(_ literal: StaticString) throws(AJPError) {
        try appendString(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends raw bytes with no length or terminator (body packets).
    public mutating func appendRaw(_ bytes: UnsafeRawBufferPointer) throws(AJPError) {
        guard remaining >= bytes.count else { throw AJPError(.messageTooLarge, "no room for \(bytes.count) bytes") }
        if bytes.count > 0, let source = bytes.baseAddress, let target = buffer.baseAddress {
            (target + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
    }

    /// Patches the header (`12 34` + payload length) and returns the whole packet.
    public func finish() -> UnsafeRawBufferPointer {
        let payload = count - Self.headerSize
        buffer[0] = 0x12
        buffer[1] = 0x34
        buffer[2] = UInt8(truncatingIfNeeded: payload >> 8)
        buffer[3] = UInt8(truncatingIfNeeded: payload)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }
}
