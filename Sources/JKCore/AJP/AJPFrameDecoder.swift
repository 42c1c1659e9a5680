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
    /// or nil if fewer than 4 bytes are present.
    public func announcedLength(_ bytes: UnsafeRawBufferPointer) throws(AJPError) -> Int? {
        guard bytes.count >= 4 else { return nil }
        guard bytes[0] == 0x41, bytes[1] == 0x42 else {
            throw AJPError(.badMagic, "got \(hex(bytes[0]))\(hex(bytes[1]))")
        }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length > 0 else { throw AJPError(.emptyPacket) }
        guard length <= maxPacketSize - 4 else {
            throw AJPError(.packetTooLarge, "\(length) bytes exceeds max_packet_size \(maxPacketSize)")
        }
        return length
    }

    /// The first complete frame at the start of `bytes`, or nil when more data is needed.
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
