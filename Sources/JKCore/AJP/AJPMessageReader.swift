/// Reads the fields of one AJP payload (the bytes after the 4-byte header).
///
/// Every read checks against the payload length — never the buffer capacity — and a string
/// must be followed by its 0x00 terminator (httpd's ajp_msg.c checks neither). Reads either
/// succeed completely or throw without moving the cursor past the payload.
public struct AJPMessageReader {
    /// The payload being read.
    public let payload: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    public private(set) var offset: Int = 0

    /// Creates a reader at the start of `payload`.
    public init(payload: UnsafeRawBufferPointer) {
        self.payload = payload
    }

    /// Bytes not yet read.
    public var remaining: Int { payload.count - offset }

    /// `count` bytes of the payload from `start` (clamped to the payload).
    func bytes(from start: Int, count: Int) -> UnsafeRawBufferPointer {
        let lower = min(max(start, 0), payload.count)
        return UnsafeRawBufferPointer(rebasing: payload[lower..<min(lower &+ max(count, 0), payload.count)])
    }

    /// Moves the cursor over `count` bytes already checked with a peek.
    @inline(__always)
    mutating func skip(_ count: Int) {
        offset = min(offset &+ count, payload.count)
    }

    /// Reads one byte.
    @inline(__always)
    public mutating func readByte() throws(AJPError) -> UInt8 {
        guard remaining >= 1 else { throw AJPError(.truncated, "byte at \(offset)") }
        defer { offset += 1 }
        return payload[offset]
    }

    /// Reads an unsigned 16-bit big-endian integer.
    @inline(__always)
    public mutating func readInt() throws(AJPError) -> UInt16 {
        guard remaining >= 2 else { throw AJPError(.truncated, "int at \(offset)") }
        defer { offset += 2 }
        return UInt16(payload[offset]) << 8 | UInt16(payload[offset + 1])
    }

    /// Peeks an unsigned 16-bit integer without consuming it.
    @inline(__always)
    public func peekInt() throws(AJPError) -> UInt16 {
        guard remaining >= 2 else { throw AJPError(.truncated, "int at \(offset)") }
        return UInt16(payload[offset]) << 8 | UInt16(payload[offset + 1])
    }

    /// Reads an AJP string; nil for the null string `FF FF`.
    @inline(__always)
    public mutating func readString() throws(AJPError) -> UnsafeRawBufferPointer? {
        let length = Int(try readInt())
        if length == 0xFFFF { return nil }
        guard remaining >= length + 1 else { throw AJPError(.truncated, "\(length)-byte string at \(offset)") }
        guard payload[offset + length] == 0 else { throw AJPError(.missingTerminator, "string at \(offset)") }
        defer { offset += length + 1 }
        return UnsafeRawBufferPointer(rebasing: payload[offset..<(offset + length)])
    }

    /// Reads `count` raw bytes.
    @inline(__always)
    public mutating func readBytes(_ count: Int) throws(AJPError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw AJPError(.truncated, "\(count) bytes at \(offset)") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: payload[offset..<(offset + count)])
    }
}
