import Testing
@testable import JKCore

/// The query-string reader of the status worker (mod_jk's status_parse_uri rules).
@Suite struct StatusQueryTests {
    @Test func splitsDecodesAndKeepsTheLastDuplicate() {
        let query = StatusQuery("cmd=update&w=lb&sw=node%31&vwa=1&vwa=2&flag&=x&empty=")
        #expect(query["cmd"] == "update")
        #expect(query["sw"] == "node1")
        #expect(query["vwa"] == "2")
        #expect(query["flag"] == nil)
        #expect(query["empty"] == "")
        #expect(query.parameters.count == 5)
    }

    @Test func masksMarkupQuotesAndNul() {
        let query = StatusQuery("w=%3Cscript%3E%22x%22%3F%00&v=<a>\"")
        #expect(query["w"] == "@script@@x@@@")
        #expect(query["v"] == "@a@@")
    }

    @Test func invalidEscapesStayAndOverlongValuesAreCut() {
        #expect(StatusQuery("w=%zz%4")["w"] == "%zz%4")
        #expect(StatusQuery("w=" + String(repeating: "a", count: 5000))["w"]?.count == StatusQuery.maximumValueLength)
        #expect(StatusQuery(nil).parameters.isEmpty)
    }

    @Test func integersFollowAtoi() {
        #expect(StatusQuery.atoi("42abc") == 42)
        #expect(StatusQuery.atoi("  -7") == -7)
        #expect(StatusQuery.atoi("x") == 0)
        #expect(StatusQuery.atoi("99999999999999999999999") == Int(Int32.max))
        #expect(StatusQuery("opt=32")["opt"].map(StatusQuery.atoi) == 32)
    }

    @Test func randomQueriesNeverTrap() {
        var generator = SplitMix(seed: 0x5EED_57A7)
        let alphabet = Array("abc=&%0123456789ABCDEF<>\"?;*.+ \u{0}é".utf8)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 64)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let query = StatusQuery(String(decoding: bytes, as: UTF8.self))
            for value in query.parameters.values {
                #expect(!value.utf8.contains { StatusQuery.maskedBytes.contains($0) })
            }
        }
    }
}

/// A small deterministic generator for randomised tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
