import CJKCore
import Testing

@testable import JKCore

/// Random and mutated container→server bytes never trap the frame decoder, the message decoder
/// or the exchange: a misbehaving backend must yield an error, never a crashed httpd child.
@Suite("AJP decoder robustness")
struct AJPDecoderRobustnessTests {
    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    /// Valid messages to mutate (hex): SEND_HEADERS 200 with two headers, a body chunk,
    /// END_RESPONSE, GET_BODY_CHUNK, CPONG.
    static let seeds: [[UInt8]] = [
        "0400c80003323030000002a001000a746578742f706c61696e000006582d4e6f646500000" + "56e6f64653100",
        "03000568656c6c6f00",
        "0501",
        "061ffa",
        "09",
    ].map(bytes(hex:))

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8?
        for character in hex.utf8 {
            let nibble: UInt8 = character <= 0x39 ? character - 0x30 : character - 0x57
            if let h = high {
                result.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return result
    }

    @Test func randomPayloadsNeverTrap() {
        var generator = Generator(state: 0x9E37_79B9_7F4A_7C15)
        var decoded = 0
        for round in 0..<20_000 {
            var payload: [UInt8]
            if round % 2 == 0 {
                payload = (0..<Int(generator.next() % 64)).map { _ in generator.byte() }
            } else {
                payload = Self.seeds[Int(generator.next() % UInt64(Self.seeds.count))]
                for _ in 0..<(1 + Int(generator.next() % 3)) where !payload.isEmpty {
                    payload[Int(generator.next() % UInt64(payload.count))] = generator.byte()
                }
                if generator.next() % 4 == 0 { payload.removeLast(Int(generator.next() % UInt64(payload.count))) }
            }
            payload.withUnsafeBytes { bytes in
                var exchange = AJPExchange(body: .chunked, firstChunk: 0, maxPacketSize: 8192)
                if let message = try? AJPResponseMessage.decode(bytes) {
                    decoded += 1
                    _ = try? exchange.received(.getBodyChunk(requested: 10))
                    _ = try? exchange.received(message)
                    _ = try? exchange.received(message)
                }
            }
        }
        #expect(decoded > 1000, "the mutations still exercise the success paths")
    }

    @Test func randomStreamsNeverTrapTheFrameDecoder() {
        var generator = Generator(state: 42)
        let decoder = AJPFrameDecoder(maxPacketSize: 8192)
        var frames = 0
        for _ in 0..<20_000 {
            var stream: [UInt8] = generator.next() % 2 == 0 ? [0x41, 0x42] : []
            stream += (0..<Int(generator.next() % 16)).map { _ in generator.byte() }
            stream.withUnsafeBytes { bytes in
                if let frame = try? decoder.nextFrame(bytes) {
                    frames += 1
                    #expect(frame.consumed <= bytes.count)
                }
            }
        }
        #expect(frames > 0)
    }
}
