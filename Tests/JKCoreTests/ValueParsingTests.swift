import Testing
@testable import JKCore

@Suite struct ValueParsingTests {
    @Test func placeholder() { #expect(PropertyValueParser.integer("16k").value == 16384) }
}
