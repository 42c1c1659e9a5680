import Glibc

extension ByteCompare {
    /// True when two byte views hold the same bytes (case-sensitive, like `strcmp` on routes).
    @inline(__always)
    static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0, let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        return memcmpEqual(left, right, lhs.count)
    }

    /// Byte-wise equality of two regions of `count` bytes.
    @inline(__always)
    private static func memcmpEqual(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, _ count: Int) -> Bool {
        for offset in 0..<count where lhs.load(fromByteOffset: offset, as: UInt8.self)
            != rhs.load(fromByteOffset: offset, as: UInt8.self) {
            return false
        }
        return true
    }

    /// The offset of the first occurrence of `needle` in `haystack` at or after `start`, like C's
    /// `strstr(haystack + start, needle)`: an empty needle matches at `start` itself (also at the
    /// end). Nil when there is none or `start` is past the end.
    static func firstRange(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer,
                           from start: Int) -> Int? {
        guard start >= 0, start <= haystack.count else { return nil }
        guard needle.count > 0 else { return start }
        guard needle.count <= haystack.count - start else { return nil }
        guard let base = haystack.baseAddress else { return nil }
        let first = needle[0]
        var position = start
        let last = haystack.count - needle.count
        while position <= last {
            // The next candidate first byte (cookie headers and URIs are scanned on every sticky
            // request).
            guard let found = firstOffset(of: first, in: base, from: position, to: last + 1) else { return nil }
            position = found
            var offset = 1
            while offset < needle.count, haystack[position + offset] == needle[offset] { offset += 1 }
            if offset == needle.count { return position }
            position += 1
        }
        return nil
    }

    /// The offset from `base` of the first `byte` in `base[start..<end]` (memchr), or nil.
    @inline(__always)
    static func firstOffset(of byte: UInt8, in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// True for the bytes C's `isspace` accepts in the C locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
    @inline(__always)
    static func isCSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
