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
        for _ in 0..<count { _ = try readHeader(&reader) }
        return AJPHeaderList(count: count, bytes: reader.bytes(from: start))
    }

    /// Reads one header: a coded name (`A0 nn`) or a string, then the value string.
    @inline(__always)
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

        /// The next header, or nil after the last. The list was validated when it was read,
        /// so this only re-reads lengths (still bounds-checked, never trapping).
        public mutating func next() -> sjk_pair_t? {
            guard left > 0 else { return nil }
            left &-= 1
            guard let code = int(at: offset) else { return nil }
            let name: sjk_str_t
            if code & 0xFF00 == 0xA000 {
                guard let literal = AJPResponseHeader.name(forCode: code) else { return nil }
                name = sjk_str_t(literal)
                offset &+= 2
            } else {
                guard let string = string(at: offset) else { return nil }
                name = string
                offset &+= 3 &+ string.len
            }
            guard let value = string(at: offset) else { return nil }
            offset &+= 3 &+ value.len
            return sjk_pair_t(name: name, value: value)
        }

        @inline(__always)
        private func int(at position: Int) -> UInt16? {
            guard position >= 0, position <= bytes.count &- 2, let base = bytes.baseAddress else { return nil }
            return UInt16(base.load(fromByteOffset: position, as: UInt8.self)) << 8
                | UInt16(base.load(fromByteOffset: position &+ 1, as: UInt8.self))
        }

        @inline(__always)
        private func string(at position: Int) -> sjk_str_t? {
            guard let length = int(at: position), length != 0xFFFF, let base = bytes.baseAddress,
                  Int(length) <= bytes.count &- position &- 3 else { return nil }
            return sjk_str_t(ptr: (base + (position &+ 2)).assumingMemoryBound(to: CChar.self), len: Int(length))
        }
    }

    /// An iterator over the headers.
    public func makeIterator() -> Iterator { Iterator(self) }

    /// Number of headers, for `Array(list)` and `map`.
    public var underestimatedCount: Int { count }
}
