/// Request-body packets from the web server (reference §1.8): `12 34 <n+2> <n>` and `n` data
/// bytes, without a prefix byte; `12 34 00 00` ends the body.
public enum AJPBodyPacket {
    /// Bytes in front of the data.
    public static let headerSize = 6

    /// Writes the 6-byte header for `dataLength` data bytes at the start of `buffer`, which the
    /// caller made at least `headerSize + dataLength` bytes long (`dataLength` < 0xFFFE).
    public static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, dataLength: Int) {
        guard buffer.count >= headerSize else { return }
        buffer[0] = 0x12
        buffer[1] = 0x34
        buffer[2] = UInt8(truncatingIfNeeded: (dataLength &+ 2) >> 8)
        buffer[3] = UInt8(truncatingIfNeeded: dataLength &+ 2)
        buffer[4] = UInt8(truncatingIfNeeded: dataLength >> 8)
        buffer[5] = UInt8(truncatingIfNeeded: dataLength)
    }
}
