/// Byte-wise comparisons for hot paths: no String, no allocation.
public enum ByteCompare {
    /// True when `bytes` equals the UTF-8 of `literal`.
    public static func equal(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let start = literal.utf8Start
        for index in 0..<bytes.count where bytes[index] != start[index] { return false }
        return true
    }

    /// True when `bytes` equals `upperLiteral` ignoring ASCII case; `upperLiteral` must be
    /// upper case.
    public static func equalIgnoringASCIICase(_ bytes: UnsafeRawBufferPointer, _ upperLiteral: StaticString) -> Bool {
        guard bytes.count == upperLiteral.utf8CodeUnitCount else { return false }
        let start = upperLiteral.utf8Start
        for index in 0..<bytes.count where asciiUpper(bytes[index]) != start[index] { return false }
        return true
    }

    /// True when two byte views are equal ignoring ASCII case.
    public static func equalIgnoringASCIICase(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count where asciiUpper(lhs[index]) != asciiUpper(rhs[index]) { return false }
        return true
    }

    /// The ASCII upper-case form of a byte; other bytes unchanged.
    @inline(__always)
    public static func asciiUpper(_ byte: UInt8) -> UInt8 {
        (byte >= 0x61 && byte <= 0x7A) ? byte &- 0x20 : byte
    }
}
