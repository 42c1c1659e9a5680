/// Writes one AJP packet from the web server to the container into a caller-provided buffer
/// whose size is the worker's `max_packet_size`.
///
/// The 4-byte header (`12 34` + payload length) is reserved when the writer is created and
/// patched by `finish()`, like `_appendNode` back-patching in swift-asn1. Every append checks the
/// remaining capacity first and throws `AJPError.messageTooLarge` instead of writing past the
/// end — the caller turns that into HTTP 413 (reference §1.3, T35). After the one check, bytes
/// are stored through the base pointer without further bounds checks (this runs for every field
/// of every request).
public struct AJPMessageWriter {
    /// Size of the packet header (`12 34 LL LL`).
    public static let headerSize = 4
    /// The largest packet the 16-bit length field can describe.
    public static let maximumPacketSize = headerSize + 0xFFFF

    private let base: UnsafeMutableRawPointer?
    private let capacity: Int
    /// Bytes written so far, header included.
    public private(set) var count: Int

    /// Starts a packet at the beginning of `buffer`; at most `maximumPacketSize` bytes of it
    /// are used.
    public init(buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        capacity = base == nil ? 0 : min(buffer.count, Self.maximumPacketSize)
        count = Self.headerSize
    }

    /// Bytes still available (bounded by the buffer and by the 16-bit length field).
    public var remaining: Int { capacity - count }

    /// Appends one byte.
    @inline(__always)
    public mutating func appendByte(_ value: UInt8) throws(AJPError) {
        guard let base, remaining >= 1 else { throw AJPError(.messageTooLarge, "no room for a byte at \(count)") }
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    /// Appends an unsigned 16-bit big-endian integer.
    @inline(__always)
    public mutating func appendInt(_ value: UInt16) throws(AJPError) {
        guard let base, remaining >= 2 else { throw AJPError(.messageTooLarge, "no room for an int at \(count)") }
        base.storeBytes(of: value.bigEndian, toByteOffset: count, as: UInt16.self)
        count &+= 2
    }

    /// Overwrites the 16-bit integer written earlier at `offset` (a count known only later).
    public mutating func patchInt(_ value: UInt16, at offset: Int) {
        guard let base, offset >= Self.headerSize, offset &+ 2 <= count else { return }
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Appends an AJP string: length, bytes, 0x00. `nil` writes the null string `FF FF`.
    /// Strings of 0xFFFF bytes or more cannot be represented and do not fit any packet.
    @inline(__always)
    public mutating func appendString(_ bytes: UnsafeRawBufferPointer?) throws(AJPError) {
        guard let bytes else {
            try appendInt(0xFFFF)
            return
        }
        let length = bytes.count
        guard let base, length < 0xFFFF, remaining >= length &+ 3 else {
            throw AJPError(.messageTooLarge, "no room for a \(length)-byte string at \(count)")
        }
        base.storeBytes(of: UInt16(truncatingIfNeeded: length).bigEndian, toByteOffset: count, as: UInt16.self)
        if length > 0, let source = bytes.baseAddress {
            (base + (count &+ 2)).copyMemory(from: source, byteCount: length)
        }
        base.storeBytes(of: 0, toByteOffset: count &+ 2 &+ length, as: UInt8.self)
        count &+= length &+ 3
    }

    /// Appends a string literal.
    @inline(__always)
    public mutating func appendString(_ literal: StaticString) throws(AJPError) {
        try appendString(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends raw bytes with no length or terminator (body packets).
    @inline(__always)
    public mutating func appendRaw(_ bytes: UnsafeRawBufferPointer) throws(AJPError) {
        guard let base, remaining >= bytes.count else {
            throw AJPError(.messageTooLarge, "no room for \(bytes.count) bytes")
        }
        if bytes.count > 0, let source = bytes.baseAddress {
            (base + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count &+= bytes.count
    }

    /// Appends the bytes of a literal with no length or terminator (prebuilt fields).
    @inline(__always)
    public mutating func appendRaw(_ literal: StaticString) throws(AJPError) {
        try appendRaw(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Patches the header (`12 34` + payload length) and returns the whole packet.
    public func finish() -> UnsafeRawBufferPointer {
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let payload = count - Self.headerSize
        base.storeBytes(of: UInt16(0x1234).bigEndian, toByteOffset: 0, as: UInt16.self)
        base.storeBytes(of: UInt16(truncatingIfNeeded: payload).bigEndian, toByteOffset: 2, as: UInt16.self)
        return UnsafeRawBufferPointer(start: base, count: count)
    }
}
