import CJKCore

/// The headers of a SEND_HEADERS message, left in the receive buffer: a validated view that is
/// decoded again field by field when it is iterated, so a response needs no array (reference §1.7).
///
/// `AJPResponseMessage.decode` checks every header before it hands out a list, so iteration
/// cannot fail; it still stops quietly at anything malformed instead of trapping.
public struct AJPHeaderList: Sequence {
    /// Number of headers.
    public let count: Int
    private let bytes: UnsafeRawBufferPointer

    /// No headers.
    public static var empty: AJPHeaderList { AJPHeaderList(count: 0, bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }

    private init(count: Int, bytes: UnsafeRawBufferPointer) {
        self.count = count
        self.bytes = bytes
    }

    /// Reads `count` headers from `reader`, checking each, and returns them as a list whose
    /// views borrow the reader's payload.
    static func read(_ count: Int, from reader: inout AJPMessageReader) throws(AJPError) -> AJPHeaderList {
        let start = reader.offset
        let rest = reader.bytes(from: start, count: reader.remaining)
        // Fast check first; only a malformed list is read again field by field for the error.
        var offset = 0
        for _ in 0..<count {
            guard scan(rest, at: &offset) != nil else {
                for _ in 0..<count { _ = try readHeader(&reader) }
                throw AJPError(.truncated, "header list")   // not reached: readHeader threw
            }
        }
        reader.skip(offset)
        return AJPHeaderList(count: count, bytes: UnsafeRawBufferPointer(rebasing: rest[0..<offset]))
    }

    /// One header at `offset` of `bytes`, moving `offset` past it; nil when it is malformed (a
    /// field runs past the end, a string lacks its terminator, a null name or value, or an
    /// unknown header code). Never traps.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) -> sjk_pair_t? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        @inline(__always) func int(_ position: Int) -> Int? {
            guard position >= 0, position <= count &- 2 else { return nil }
            return Int(base.load(fromByteOffset: position, as: UInt8.self)) << 8
                | Int(base.load(fromByteOffset: position &+ 1, as: UInt8.self))
        }
        @inline(__always) func string(_ position: Int) -> sjk_str_t? {
            guard let length = int(position), length != 0xFFFF, length <= count &- position &- 3,
                  base.load(fromByteOffset: position &+ 2 &+ length, as: UInt8.self) == 0 else { return nil }
            return sjk_str_t(ptr: (base + (position &+ 2)).assumingMemoryBound(to: CChar.self), len: length)
        }
        var position = offset
        guard let code = int(position) else { return nil }
        let name: sjk_str_t
        if code & 0xFF00 == 0xA000 {
            guard let literal = AJPResponseHeader.name(forCode: UInt16(truncatingIfNeeded: code)) else { return nil }
            name = sjk_str_t(literal)
            position &+= 2
        } else {
            guard let string = string(position) else { return nil }
            name = string
            position &+= 3 &+ string.len
        }
        guard let value = string(position) else { return nil }
        offset = position &+ 3 &+ value.len
        return sjk_pair_t(name: name, value: value)
    }

    /// Reads one header: a coded name (`A0 nn`) or a string, then the value string. The slow path
    /// that says exactly what is wrong when `scan` rejects a list.
    static func readHeader(_ reader: inout AJPMessageReader) throws(AJPError) -> sjk_pair_t {
        let name: sjk_str_t
        let peek = try reader.peekInt()
        if peek & 0xFF00 == 0xA000 {
            reader.skip(2)
            guard let literal = AJPResponseHeader.name(forCode: peek) else {
                throw AJPError(.unknownHeaderCode, "code 0x\(String(peek, radix: 16))")
            }
            name = sjk_str_t(literal)
        } else {
            guard let literal = try reader.readString() else { throw AJPError(.nullHeader, "null header name") }
            name = sjk_str_t(literal)
        }
        guard let value = try reader.readString() else { throw AJPError(.nullHeader, "null header value") }
        return sjk_pair_t(name: name, value: sjk_str_t(value))
    }

    /// Iterates the headers in wire order.
    public struct Iterator: IteratorProtocol {
        private let bytes: UnsafeRawBufferPointer
        private var offset = 0
        private var left: Int

        fileprivate init(_ list: AJPHeaderList) {
            bytes = list.bytes
            left = list.count
        }

        /// The next header, or nil after the last.
        public mutating func next() -> sjk_pair_t? {
            guard left > 0 else { return nil }
            left &-= 1
            return AJPHeaderList.scan(bytes, at: &offset)
        }
    }

    /// An iterator over the headers.
    public func makeIterator() -> Iterator { Iterator(self) }

    /// Number of headers, for `Array(list)` and `map`.
    public var underestimatedCount: Int { count }
}
