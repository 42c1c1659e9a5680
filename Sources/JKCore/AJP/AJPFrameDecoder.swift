/// Finds whole container→server packets in a byte stream.
///
/// Contract (as swift-nio's ByteToMessageDecoder): `nextFrame` consumes nothing and returns nil
/// until a complete `AB LL LL payload` frame is present; then it returns exactly one frame. A
/// wrong magic, an empty payload or a declared length beyond `maxPacketSize - 4` throws: the
/// connection cannot be resynchronised and must be closed (reference §1.2).
public struct AJPFrameDecoder: Sendable {
    /// The worker's `max_packet_size`, header included.
    public let maxPacketSize: Int

    /// Creates a decoder for packets of at most `maxPacketSize` bytes.
    public init(maxPacketSize: Int) {
        self.maxPacketSize = maxPacketSize
    }

    /// One decoded frame: where its payload is and how many bytes it used.
    public struct Frame: Equatable, Sendable {
        /// Range of the payload within the buffer passed to `nextFrame`.
        public var payload: Range<Int>
        /// Bytes the frame occupies, header included.
        public var consumed: Int { payload.upperBound }
    }

    /// Length of the payload announced by a complete 4-byte header at the start of `bytes`,
    /// or nil if fewer than 4 bytes are present. Runs for every packet: a well-formed header is
    /// checked inline; only a bad one goes to `headerError` to say what is wrong.
    @inline(__always)
    public func announcedLength(_ bytes: UnsafeRawBufferPointer) throws(AJPError) -> Int? {
        guard bytes.count >= 4, let base = bytes.baseAddress else { return nil }
        let length = Int(base.load(fromByteOffset: 2, as: UInt8.self)) << 8
            | Int(base.load(fromByteOffset: 3, as: UInt8.self))
        guard base.load(as: UInt8.self) == 0x41, base.load(fromByteOffset: 1, as: UInt8.self) == 0x42,
              length > 0, length <= maxPacketSize &- 4 else { throw headerError(bytes, length: length) }
        return length
    }

    /// Why the header at the start of `bytes` is not acceptable (bad magic, empty or oversized).
    @inline(never)
    private func headerError(_ bytes: UnsafeRawBufferPointer, length: Int) -> AJPError {
        guard bytes[0] == 0x41, bytes[1] == 0x42 else {
            return AJPError(.badMagic, "got \(hex(bytes[0]))\(hex(bytes[1]))")
        }
        guard length > 0 else { return AJPError(.emptyPacket) }
        return AJPError(.packetTooLarge, "\(length) bytes exceeds max_packet_size \(maxPacketSize)")
    }

    /// The first complete frame at the start of `bytes`, or nil when more data is needed.
    @inline(__always)
    public func nextFrame(_ bytes: UnsafeRawBufferPointer) throws(AJPError) -> Frame? {
        guard let length = try announcedLength(bytes) else { return nil }
        guard bytes.count >= 4 + length else { return nil }
        return Frame(payload: 4..<(4 + length))
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
