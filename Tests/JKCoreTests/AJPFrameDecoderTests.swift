import Testing

@testable import JKCore

/// `decoder.nextFrame` over `bytes`.
private func nextFrame(_ bytes: [UInt8], maxPacketSize: Int = 8192) throws -> AJPFrameDecoder.Frame? {
    try bytes.withUnsafeBytes { try AJPFrameDecoder(maxPacketSize: maxPacketSize).nextFrame($0) }
}

/// The Tomcat response packets, one exchange per argument, plus the CPONG on its own.
private let responseStreams: [[GoldenVector]] = [[GoldenVectors.Tomcat.cpong]] + GoldenVectors.Tomcat.allExchanges

/// Every response packet concatenated: one long stream, as one pooled connection would carry them.
private let everything: [GoldenVector] = GoldenVectors.Tomcat.allPackets

/// Drip-feed and split verification in the manner of swift-nio's ByteToMessageDecoderVerifier and
/// swift-asn1's prefix tests, against packets captured from Tomcat 10.1.
@Suite("AJPFrameDecoder")
struct AJPFrameDecoderTests {
    @Test(arguments: GoldenVectors.Tomcat.allPackets)
    func everyStrictPrefixNeedsMoreData(vector: GoldenVector) throws {
        for end in 0..<vector.bytes.count {
            #expect(try nextFrame(Array(vector.bytes[0..<end])) == nil, "prefix of \(end) bytes")
        }
    }

    @Test(arguments: GoldenVectors.Tomcat.allPackets)
    func wholePacketIsExactlyOneFrame(vector: GoldenVector) throws {
        let frame = try #require(try nextFrame(vector.bytes))
        #expect(frame.payload == 4..<vector.bytes.count)
        #expect(frame.consumed == vector.bytes.count)
    }

    @Test func frameEndsWhereTheNextPacketStarts() throws {
        let first = GoldenVectors.Tomcat.staticHeaders.bytes
        let stream = first + GoldenVectors.Tomcat.staticBody.bytes + [0x41]
        let frame = try #require(try nextFrame(stream))
        #expect(frame.consumed == first.count)
        #expect(Array(stream[frame.payload]) == Array(first.dropFirst(4)))
        // Asking again without dropping anything gives the same frame: the decoder consumes nothing.
        #expect(try nextFrame(stream) == frame)
    }

    @Test(arguments: responseStreams)
    func everyTwoWaySplitDecodesTheSameFrames(stream: [GoldenVector]) throws {
        let bytes = stream.flatMap(\.bytes)
        for split in 0...bytes.count {
            var accumulator = FrameAccumulator()
            try accumulator.feed(bytes[0..<split])
            try accumulator.feed(bytes[split...])
            #expect(accumulator.frames == stream.map(\.bytes), "split at \(split)")
            #expect(accumulator.pending.isEmpty)
        }
    }

    @Test(arguments: responseStreams)
    func byteByByteDripFeedDecodesTheSameFrames(stream: [GoldenVector]) throws {
        var accumulator = FrameAccumulator()
        var completed: [Int] = []
        for (index, byte) in stream.flatMap(\.bytes).enumerated() {
            let before = accumulator.frames.count
            try accumulator.feed(CollectionOfOne(byte))
            if accumulator.frames.count > before { completed.append(index + 1) }
        }
        #expect(accumulator.frames == stream.map(\.bytes))
        // Each frame appears exactly when its last byte arrives.
        var ends: [Int] = []
        var total = 0
        for vector in stream {
            total += vector.bytes.count
            ends.append(total)
        }
        #expect(completed == ends)
    }

    @Test func allVectorsConcatenatedDecodeInOrder() throws {
        var accumulator = FrameAccumulator()
        try accumulator.feed(everything.flatMap(\.bytes))
        #expect(accumulator.frames == everything.map(\.bytes))
        #expect(accumulator.pending.isEmpty)
    }

    @Test func everyTwoWaySplitOfTheConcatenationDecodesTheSameFrames() throws {
        let bytes = everything.flatMap(\.bytes)
        let expected = everything.map(\.bytes)
        for split in 0...bytes.count {
            var accumulator = FrameAccumulator()
            try accumulator.feed(bytes[0..<split])
            try accumulator.feed(bytes[split...])
            #expect(accumulator.frames == expected, "split at \(split)")
        }
    }

    // MARK: - Packet size boundaries

    @Test(arguments: [8192, 16384, 65536])
    func payloadOfMaxPacketSizeMinusFourIsAccepted(maxPacketSize: Int) throws {
        let length = maxPacketSize - 4
        let header: [UInt8] = [0x41, 0x42, UInt8(length >> 8), UInt8(length & 0xFF)]
        // The header alone is not yet a frame, and is not an error.
        #expect(try nextFrame(header, maxPacketSize: maxPacketSize) == nil)
        let packet = header + [0x03] + [UInt8](repeating: 0, count: length - 1)
        let frame = try #require(try nextFrame(packet, maxPacketSize: maxPacketSize))
        #expect(frame.consumed == maxPacketSize)
    }

    @Test(arguments: [8192, 16384, 65536])
    func payloadOneOverMaxPacketSizeMinusFourIsPacketTooLarge(maxPacketSize: Int) {
        let length = maxPacketSize - 3
        // Rejected as soon as the 4-byte header is there, before any payload arrives.
        #expect(throws: AJPError(.packetTooLarge)) {
            try nextFrame([0x41, 0x42, UInt8(length >> 8), UInt8(length & 0xFF)], maxPacketSize: maxPacketSize)
        }
    }

    @Test func oversizedFaultPacketOfTheTestBackendIsPacketTooLarge() {
        // ajp-test-backend /fault/oversized: 41 42 fd e8 (65000) and 8 payload bytes.
        #expect(throws: AJPError(.packetTooLarge)) {
            try nextFrame(Hex.bytes("41 42 fd e8 03 00 04 61 62 63 64 00"))
        }
    }

    // MARK: - Errors

    @Test func requestMagicInTheResponseDirectionIsBadMagic() {
        #expect(throws: AJPError(.badMagic)) { try nextFrame(GoldenVectors.ModJK.t34CPing.bytes) }
    }

    @Test(arguments: ["41 43 00 01", "42 41 00 01", "00 00 00 00", "ff ff ff ff"])
    func anythingButABIsBadMagic(header: String) {
        #expect(throws: AJPError(.badMagic)) { try nextFrame(Hex.bytes(header)) }
    }

    @Test func badMagicIsReportedOnceTheHeaderIsComplete() throws {
        // Fewer than 4 bytes: no verdict yet, whatever they are (the contract decides on whole headers).
        #expect(try nextFrame(Hex.bytes("12 34 00")) == nil)
        #expect(throws: AJPError(.badMagic)) { try nextFrame(Hex.bytes("12 34 00 00")) }
    }

    @Test func zeroLengthPayloadIsEmptyPacket() {
        #expect(throws: AJPError(.emptyPacket)) { try nextFrame(Hex.bytes("41 42 00 00")) }
        #expect(throws: AJPError(.emptyPacket)) { try nextFrame(Hex.bytes("41 42 00 00 05 01")) }
    }

    @Test func errorsSurfaceAfterTheFramesBeforeThem() throws {
        var accumulator = FrameAccumulator()
        let good = GoldenVectors.Tomcat.staticExchange.flatMap(\.bytes)
        #expect(throws: AJPError(.badMagic)) {
            try accumulator.feed(good + Hex.bytes("12 34 00 02 05 01"))
        }
        #expect(accumulator.frames == GoldenVectors.Tomcat.staticExchange.map(\.bytes))
    }
}
