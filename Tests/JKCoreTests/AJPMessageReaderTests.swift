import Testing

@testable import JKCore

/// Runs `body` with a reader over `payload`.
@discardableResult
private func reading<R>(_ payload: [UInt8], _ body: (inout AJPMessageReader) throws -> R) rethrows -> R {
    try payload.withUnsafeBytes { bytes in
        var reader = AJPMessageReader(payload: bytes)
        return try body(&reader)
    }
}

/// The text of a string field; nil for the null string.
private func text(_ bytes: UnsafeRawBufferPointer?) -> String? {
    bytes.map { String(decoding: $0, as: UTF8.self) }
}

@Suite("AJPMessageReader")
struct AJPMessageReaderTests {
    @Test func readsBytesAndBigEndianInts() throws {
        try reading(Hex.bytes("04 00 c8 a0 01 ff ff")) { reader throws in
            #expect(try reader.readByte() == 4)
            #expect(try reader.readInt() == 200)
            #expect(try reader.readInt() == 0xA001)
            #expect(try reader.readInt() == 0xFFFF)
            #expect(reader.remaining == 0)
        }
    }

    @Test func peekIntDoesNotConsume() throws {
        try reading(Hex.bytes("a0 06 00 01")) { reader throws in
            #expect(try reader.peekInt() == 0xA006)
            #expect(reader.offset == 0)
            #expect(try reader.readInt() == 0xA006)
            #expect(try reader.peekInt() == 1)
            #expect(reader.offset == 2)
        }
    }

    @Test func readsStringAndSkipsItsTerminator() throws {
        try reading(Hex.bytes("00 03 32 30 30 00 07")) { reader throws in
            #expect(text(try reader.readString()) == "200")
            #expect(reader.offset == 6)
            #expect(try reader.readByte() == 7)
        }
    }

    @Test func nullStringReadsAsNilAndHasNoTerminator() throws {
        try reading(Hex.bytes("ff ff 00 01 41 00")) { reader throws in
            #expect(try reader.readString() == nil)
            #expect(reader.offset == 2)
            #expect(text(try reader.readString()) == "A")
        }
    }

    @Test func emptyStringIsEmptyNotNull() throws {
        try reading(Hex.bytes("00 00 00")) { reader throws in
            let value = try reader.readString()
            #expect(value != nil)
            #expect(value?.count == 0)
            #expect(reader.remaining == 0)
        }
    }

    @Test func readBytesReturnsExactlyCountBytes() throws {
        try reading(Hex.bytes("00 07 61 3d 31 26 62 3d 32")) { reader throws in
            let length = Int(try reader.readInt())
            #expect(Array(try reader.readBytes(length)) == ascii("a=1&b=2"))
            #expect(reader.remaining == 0)
            #expect(try reader.readBytes(0).count == 0)
        }
    }

    /// Walks the real T28 packet field by field (reference Appendix A.1); every string mod_jk wrote
    /// reads back and the last byte read is the last byte of the payload.
    @Test func walksModJKsT28PacketToTheEndOfThePayload() throws {
        try reading(GoldenVectors.ModJK.t28GetThroughLoadBalancer.payload) { reader throws in
            #expect(try reader.readByte() == AJPMessageType.forwardRequest.rawValue)
            #expect(try reader.readByte() == 2)
            #expect(text(try reader.readString()) == "HTTP/1.1")
            #expect(text(try reader.readString()) == "/app/hello")
            #expect(text(try reader.readString()) == "127.0.0.1")
            #expect(try reader.readString() == nil)
            #expect(text(try reader.readString()) == "127.0.0.1")
            #expect(try reader.readInt() == 39428)
            #expect(try reader.readByte() == 0)
            let count = try reader.readInt()
            #expect(count == 6)
            var names: [String] = []
            var values: [String] = []
            for _ in 0..<count {
                let peek = try reader.peekInt()
                if peek & 0xFF00 == 0xA000 {
                    names.append("0x" + String(try reader.readInt(), radix: 16))
                } else {
                    names.append(text(try reader.readString()) ?? "<null>")
                }
                values.append(text(try reader.readString()) ?? "<null>")
            }
            #expect(names == ["0xa00b", "0xa00e", "0xa001", "X-Custom", "Accept-Language", "0xa008"])
            #expect(values == ["127.0.0.1:39428", "curl/7.88.1", "*/*", "abc", "de", "0"])
            #expect(try reader.readByte() == AJPAttribute.queryString)
            #expect(text(try reader.readString()) == "x=1&y=%20z")
            #expect(try reader.readByte() == AJPAttribute.route)
            #expect(text(try reader.readString()) == "node1")
            var attributes: [String] = []
            while try reader.readByte() == AJPAttribute.requestAttribute {
                attributes.append("\(text(try reader.readString()) ?? "")=\(text(try reader.readString()) ?? "")")
            }
            #expect(attributes == ["AJP_REMOTE_PORT=41028", "AJP_LOCAL_ADDR=127.0.0.1", "JK_LB_ACTIVATION=ACT"])
            #expect(reader.remaining == 0)
        }
    }

    // MARK: - Short input

    @Test func byteFromEmptyPayloadIsTruncated() {
        reading([]) { reader in
            #expect(throws: AJPError(.truncated)) { try reader.readByte() }
        }
    }

    @Test func intFromOneByteIsTruncated() {
        reading([0x1F]) { reader in
            #expect(throws: AJPError(.truncated)) { try reader.readInt() }
            #expect(throws: AJPError(.truncated)) { try reader.peekInt() }
            #expect(reader.offset == 0)
        }
    }

    @Test func stringLongerThanThePayloadIsTruncated() {
        reading(Hex.bytes("00 05 61 62 63")) { reader in
            #expect(throws: AJPError(.truncated)) { try reader.readString() }
            #expect(reader.offset <= reader.payload.count)
        }
    }

    @Test func stringEndingAtThePayloadEndWithoutTerminatorIsTruncated() {
        reading(Hex.bytes("00 03 61 62 63")) { reader in
            #expect(throws: AJPError(.truncated)) { try reader.readString() }
        }
    }

    @Test func stringFollowedByNonZeroByteIsMissingItsTerminator() {
        reading(Hex.bytes("00 03 32 30 30 41 00")) { reader in
            #expect(throws: AJPError(.missingTerminator)) { try reader.readString() }
        }
    }

    @Test func lengthIsCheckedAgainstThePayloadNotTheUnderlyingBuffer() {
        // The memory after the payload holds "cd" and a 0x00, which would make a valid 4-byte string
        // if the reader looked past the payload (httpd's ajp_msg.c checks against the buffer size).
        let buffer = Hex.bytes("00 04 61 62  63 64 00")
        buffer.withUnsafeBytes { whole in
            var reader = AJPMessageReader(payload: UnsafeRawBufferPointer(rebasing: whole[0..<4]))
            #expect(throws: AJPError(.truncated)) { try reader.readString() }
        }
    }

    @Test func readBytesBeyondThePayloadOrNegativeIsTruncated() {
        reading(Hex.bytes("01 02 03")) { reader in
            #expect(throws: AJPError(.truncated)) { try reader.readBytes(4) }
            #expect(throws: AJPError(.truncated)) { try reader.readBytes(-1) }
            #expect(reader.offset == 0)
        }
    }

    @Test func everyStrictPrefixOfAStringIsRejected() {
        let field = Hex.bytes("00 0a 74 65 78 74 2f 70 6c 61 69 6e 00")
        for end in 0..<field.count {
            reading(Array(field[0..<end])) { reader in
                #expect(throws: AJPError(.truncated), "prefix of \(end) bytes") { try reader.readString() }
            }
        }
    }
}
