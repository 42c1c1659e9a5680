import Testing

@testable import JKCore

/// Runs `body` with a writer over a fresh buffer of `capacity` bytes and returns the finished
/// packet plus the writer's final state.
private func write(capacity: Int = 8192,
                   _ body: (inout AJPMessageWriter) throws -> Void) rethrows -> (packet: [UInt8], count: Int) {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    defer { storage.deallocate() }
    storage.initializeMemory(as: UInt8.self, repeating: 0xEE)
    var writer = AJPMessageWriter(buffer: storage)
    try body(&writer)
    return (Array(writer.finish()), writer.count)
}

/// A body packet as mod_jk writes it: int length, then the bytes.
private func bodyPacket(_ data: [UInt8], capacity: Int = 8192) throws -> [UInt8] {
    try write(capacity: capacity) { writer in
        try writer.appendInt(UInt16(data.count))
        try data.withUnsafeBytes { try writer.appendRaw($0) }
    }.packet
}

/// The T32 request body: byte i is `a` + i % 26.
private let t32Body: [UInt8] = (0..<20000).map { UInt8(97 + $0 % 26) }

@Suite("AJPMessageWriter")
struct AJPMessageWriterTests {
    @Test func emptyWriterFinishesAsTheEmptyBodyPacket() {
        let (packet, count) = write { _ in }
        #expect(count == 4)
        expectSameBytes(packet, GoldenVectors.ModJK.t31ChunkedEndOfBody.bytes, "empty packet")
    }

    @Test func singleByteWritesTheCPingPacket() throws {
        let packet = try write { try $0.appendByte(AJPMessageType.cpingRequest.rawValue) }.packet
        expectSameBytes(packet, GoldenVectors.ModJK.t34CPing.bytes, "CPING")
    }

    @Test func intsAreBigEndian() throws {
        let packet = try write {
            try $0.appendInt(0x0102)
            try $0.appendInt(0xA00B)
            try $0.appendInt(0)
            try $0.appendInt(0xFFFF)
        }.packet
        #expect(packet == Hex.bytes("12 34 00 08  01 02  a0 0b  00 00  ff ff"))
    }

    @Test func stringIsLengthBytesAndTerminator() throws {
        let packet = try write { writer in
            try ascii("HTTP/1.1").withUnsafeBytes { try writer.appendString($0) }
        }.packet
        #expect(packet == Hex.bytes("12 34 00 0b  00 08 48 54 54 50 2f 31 2e 31 00"))
    }

    @Test func nilStringIsTheNullStringWithoutTerminator() throws {
        let packet = try write { try $0.appendString(nil as UnsafeRawBufferPointer?) }.packet
        #expect(packet == Hex.bytes("12 34 00 02  ff ff"))
    }

    @Test func emptyStringIsZeroLengthAndTerminator() throws {
        let arena = ByteArena()
        let empty = arena.buffer([UInt8]())
        let viaLiteral = try write { try $0.appendString("") }.packet
        let viaBuffer = try write { try $0.appendString(empty) }.packet
        let viaNilBase = try write { try $0.appendString(UnsafeRawBufferPointer(start: nil, count: 0)) }.packet
        #expect(viaLiteral == Hex.bytes("12 34 00 03  00 00 00"))
        #expect(viaBuffer == viaLiteral)
        #expect(viaNilBase == viaLiteral)
    }

    @Test func rawBytesHaveNoLengthOrTerminator() throws {
        let packet = try write { writer in
            try ascii("ab").withUnsafeBytes { try writer.appendRaw($0) }
        }.packet
        #expect(packet == Hex.bytes("12 34 00 02  61 62"))
    }

    @Test func bodyPacketsMatchWhatModJKSent() throws {
        expectSameBytes(try bodyPacket(ascii("a=1&b=2")), GoldenVectors.ModJK.t30PostBody.bytes, "T30 body")
        expectSameBytes(try bodyPacket(ascii("hello-chunked")), GoldenVectors.ModJK.t31ChunkedBody.bytes, "T31 body")
        expectSameBytes(try bodyPacket(Array(t32Body[0..<8186])), GoldenVectors.ModJK.t32FirstBodyPacket.bytes,
                        "T32 first")
        expectSameBytes(try bodyPacket(Array(t32Body[8186..<16372])), GoldenVectors.ModJK.t32SecondBodyPacket.bytes,
                        "T32 second")
        expectSameBytes(try bodyPacket(Array(t32Body[16372...])), GoldenVectors.ModJK.t32LastBodyPacket.bytes,
                        "T32 last")
    }

    // MARK: - Capacity and length back-patching

    @Test func bodyOfMaxPacketSizeMinusSixFillsTheBufferExactly() throws {
        let packet = try bodyPacket(Array(t32Body[0..<8186]), capacity: 8192)
        #expect(packet.count == 8192)
        #expect(Array(packet[0..<6]) == Hex.bytes("12 34 1f fc 1f fa"))
    }

    @Test func bodyOneByteOverMaxPacketSizeMinusSixThrowsMessageTooLarge() {
        #expect(throws: AJPError(.messageTooLarge)) {
            try bodyPacket(Array(t32Body[0..<8187]), capacity: 8192)
        }
    }

    @Test(arguments: [8192, 65536])
    func payloadFillingCapacityIsPatchedIntoTheHeader(capacity: Int) throws {
        let filler = [UInt8](repeating: 0x5A, count: capacity - 4)
        let (packet, count) = try write(capacity: capacity) { writer in
            try filler.withUnsafeBytes { try writer.appendRaw($0) }
            #expect(writer.remaining == 0)
        }
        #expect(count == capacity)
        #expect(packet.count == capacity)
        let length = capacity - 4
        #expect(Array(packet[0..<4]) == [0x12, 0x34, UInt8(length >> 8), UInt8(length & 0xFF)])
    }

    @Test func byteAtExactlyCapacityFitsAndOneMoreThrows() throws {
        let (packet, count) = try write(capacity: 8) { writer in
            for value in UInt8(1)...4 { try writer.appendByte(value) }
            #expect(throws: AJPError(.messageTooLarge)) { try writer.appendByte(5) }
            #expect(writer.count == 8)
        }
        #expect(count == 8)
        #expect(packet == Hex.bytes("12 34 00 04 01 02 03 04"))
    }

    @Test func intNeedsTwoBytesOfRoom() throws {
        let (packet, _) = try write(capacity: 9) { writer in
            try writer.appendInt(0x0102)
            try writer.appendInt(0x0304)
            #expect(writer.remaining == 1)
            #expect(throws: AJPError(.messageTooLarge)) { try writer.appendInt(0x0506) }
            #expect(writer.count == 8)
            try writer.appendByte(0x07)
        }
        #expect(packet == Hex.bytes("12 34 00 05 01 02 03 04 07"))
    }

    @Test func stringNeedsLengthPlusThreeBytesOfRoom() throws {
        // capacity 16: 12 bytes of payload room. A 9-byte string takes 2 + 9 + 1 = 12: exactly capacity.
        let (packet, count) = try write(capacity: 16) { writer in
            try ascii("abcdefghi").withUnsafeBytes { try writer.appendString($0) }
        }
        #expect(count == 16)
        #expect(packet == Hex.bytes("12 34 00 0c 00 09 61 62 63 64 65 66 67 68 69 00"))

        // A 10-byte string needs capacity + 1: nothing at all is written.
        let (rejected, rejectedCount) = write(capacity: 16) { writer in
            #expect(throws: AJPError(.messageTooLarge)) {
                try ascii("abcdefghij").withUnsafeBytes { try writer.appendString($0) }
            }
            #expect(writer.count == 4)
        }
        #expect(rejectedCount == 4)
        #expect(rejected == Hex.bytes("12 34 00 00"))
    }

    @Test func nullStringNeedsTwoBytesOfRoom() {
        _ = write(capacity: 5) { writer in
            #expect(throws: AJPError(.messageTooLarge)) { try writer.appendString(nil as UnsafeRawBufferPointer?) }
            #expect(writer.count == 4)
        }
    }

    @Test func rawBytesAtCapacityPlusOneThrowWithoutWriting() throws {
        let (packet, _) = try write(capacity: 8) { writer in
            #expect(throws: AJPError(.messageTooLarge)) {
                try ascii("abcde").withUnsafeBytes { try writer.appendRaw($0) }
            }
            try ascii("abcd").withUnsafeBytes { try writer.appendRaw($0) }
        }
        #expect(packet == Hex.bytes("12 34 00 04 61 62 63 64"))
    }

    @Test func stringOf0xFFFFBytesIsRejectedEvenWhenItWouldFit() {
        // 0xFFFF is the null-string marker, so such a string has no encoding at all.
        let long = [UInt8](repeating: 0x41, count: 0xFFFF)
        _ = write(capacity: 0x10010) { writer in
            #expect(throws: AJPError(.messageTooLarge)) { try long.withUnsafeBytes { try writer.appendString($0) } }
            #expect(writer.count == 4)
        }
    }

    @Test func payloadBeyond0xFFFFCannotBeFinished() {
        // Only reachable with a buffer larger than 65539 bytes (max_packet_size is clamped to 65536),
        // but then finish() silently truncates the 16-bit length: a 0x10000-byte payload goes out as
        // `12 34 00 00` followed by 65536 bytes the container would read as the next packets.
        let filler = [UInt8](repeating: 0, count: 0x10000)
        _ = write(capacity: 0x10000 + 4) { writer in
            #expect(throws: AJPError(.messageTooLarge)) { try filler.withUnsafeBytes { try writer.appendRaw($0) } }
        }
    }
}
