import CJKCore
import Testing

@testable import JKCore

/// The fast response-header scanner accepts exactly what the field-by-field reader accepts, and
/// yields the same headers; the per-thread request buffer is never shared by nested requests.
@Suite("Header scan and thread buffer")
struct HeaderScanAndThreadBufferTests {
    /// Three headers after the count: a coded name, a string name, a coded name.
    static let headerList = AJPDecoderRobustnessTests.bytes(
        hex: "0003" + "a001000a746578742f706c61696e00" + "0006582d4e6f6465000001310" + "0" + "a00300023136" + "00")

    /// Reads the list the slow way: nil when the reader throws.
    private func slow(_ bytes: [UInt8]) -> [HeaderLine]? {
        bytes.withUnsafeBytes { raw -> [HeaderLine]? in
            var reader = AJPMessageReader(payload: raw)
            guard let count = try? reader.readInt() else { return nil }
            var lines: [HeaderLine] = []
            for _ in 0..<Int(count) {
                guard let pair = try? AJPHeaderList.readHeader(&reader) else { return nil }
                lines.append(HeaderLine(pair))
            }
            return lines
        }
    }

    /// Reads the list the fast way (validation scan, then iteration): nil when it throws.
    private func fast(_ bytes: [UInt8]) -> [HeaderLine]? {
        bytes.withUnsafeBytes { raw -> [HeaderLine]? in
            var reader = AJPMessageReader(payload: raw)
            guard let count = try? reader.readInt(),
                  let list = try? AJPHeaderList.read(Int(count), from: &reader) else { return nil }
            return list.map(HeaderLine.init)
        }
    }

    @Test func fastScanAgreesWithTheReaderOnMutatedLists() {
        var generator = AJPDecoderRobustnessTests.Generator(state: 0x2545_F491_4F6C_DD1D)
        #expect(fast(Self.headerList) == slow(Self.headerList))
        #expect(fast(Self.headerList)?.count == 3)
        var accepted = 0
        for _ in 0..<20_000 {
            var bytes = Self.headerList
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = generator.byte()
            }
            if generator.next() % 4 == 0 { bytes.removeLast(Int(generator.next() % UInt64(bytes.count))) }
            let expected = slow(bytes)
            #expect(fast(bytes) == expected)
            if expected != nil { accepted += 1 }
        }
        // Both outcomes were exercised.
        #expect(accepted > 100 && accepted < 19_900)
    }

    @Test func nestedRequestsGetTheirOwnBuffer() {
        var outer: UnsafeMutableRawPointer?
        var inner: UnsafeMutableRawPointer?
        var again: UnsafeMutableRawPointer?
        ThreadBuffer.with(byteCount: 16384) { first in
            outer = first.baseAddress
            first.storeBytes(of: 0xAB, toByteOffset: 0, as: UInt8.self)
            ThreadBuffer.with(byteCount: 16384) { nested in
                inner = nested.baseAddress
                nested.storeBytes(of: 0xCD, toByteOffset: 0, as: UInt8.self)
            }
            #expect(first.load(fromByteOffset: 0, as: UInt8.self) == 0xAB)
            #expect(first.count == 16384)
        }
        ThreadBuffer.with(byteCount: 100) { later in again = later.baseAddress }
        #expect(outer != nil && inner != nil && outer != inner)
        // The thread keeps one buffer for the next request.
        #expect(again == outer || again == inner)
    }
}
