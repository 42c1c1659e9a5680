import Testing
@testable import JKCore

/// §3.3 normalisation, one case per rule, the CVE-2018-11759 class, and a differential test against
/// a transliteration of the C function.
@Suite struct URINormalizerTests {
    private func normalized(_ uri: String) -> NormalizedURI { URINormalizer.normalize(URIMapFixtures.bytes(uri)) }
    private func path(_ text: String) -> NormalizedURI { .path(URIMapFixtures.bytes(text)) }

    @Test func leavesACleanPathUnchanged() {
        #expect(normalized("/app/a") == path("/app/a"))
        #expect(normalized("/") == path("/"))
        #expect(normalized("/app/") == path("/app/"))
    }

    @Test func allowsAsteriskAloneAndRejectsOtherRelativeTargets() {
        #expect(normalized("*") == .asterisk)
        #expect(normalized("**") == .invalid)
        #expect(normalized("*/a") == .invalid)
        #expect(normalized("") == .invalid)
        #expect(normalized("app/a") == .invalid)
        #expect(normalized("http://host/a") == .invalid)
    }

    @Test func removesPathParametersFromEverySegment() {
        #expect(normalized("/a;x=1/b;jsessionid=2") == path("/a/b"))
        #expect(normalized("/app/x;jsessionid=ABC/y") == path("/app/x/y"))
        #expect(normalized("/app;v=1/z") == path("/app/z"))
        #expect(normalized("/a;x;y/b") == path("/a/b"))
        #expect(normalized("/a;") == path("/a"))
        #expect(normalized("/;x") == path("/"))
        #expect(normalized("/;x/a") == path("/a"))
        #expect(normalized("/a;b=c;d=e") == path("/a"))
    }

    @Test func collapsesRunsOfSlashes() {
        #expect(normalized("//a///b//") == path("/a/b/"))
        #expect(normalized("/app//double") == path("/app/double"))
        #expect(normalized("////") == path("/"))
    }

    @Test func removesSingleDotSegments() {
        #expect(normalized("/./") == path("/"))
        #expect(normalized("/a/./b") == path("/a/b"))
        #expect(normalized("/a/.") == path("/a/"))
        #expect(normalized("/.") == path("/"))
        #expect(normalized("/./.") == path("/"))
        #expect(normalized("/a/./././b") == path("/a/b"))
    }

    @Test func keepsDotsThatAreNotWholeSegments() {
        #expect(normalized("/a/.b") == path("/a/.b"))
        #expect(normalized("/a./b") == path("/a./b"))
        #expect(normalized("/a/.../b") == path("/a/.../b"))
        #expect(normalized("/a/..b") == path("/a/..b"))
        #expect(normalized("/a/b../c") == path("/a/b../c"))
        #expect(normalized("/a/%2e%2e/b") == path("/a/%2e%2e/b"))
    }

    @Test func resolvesDoubleDotSegments() {
        #expect(normalized("/a/b/../c") == path("/a/c"))
        #expect(normalized("/a/b/..") == path("/a/"))
        #expect(normalized("/a/..") == path("/"))
        #expect(normalized("/a/b/../..") == path("/"))
        #expect(normalized("/app/./b/../c") == path("/app/c"))
    }

    @Test func rejectsDoubleDotAboveTheRoot() {
        #expect(normalized("/..") == .invalid)
        #expect(normalized("/../a") == .invalid)
        #expect(normalized("/a/../../b") == .invalid)
        #expect(normalized("/a/..//..") == .invalid)
        #expect(normalized("/./../a") == .invalid)
    }

    @Test func runsThePassesInMod_jkOrder() {
        // Parameters go first, so "..;x" is a ".." segment; slashes collapse before dots are looked at.
        #expect(normalized("/a//../b") == path("/b"))
        #expect(normalized("/a/.//b") == path("/a/b"))
        #expect(normalized("/a/b/./../c") == path("/a/c"))
        #expect(normalized("/a/.;x/b") == path("/a/b"))
    }

    @Test func normalisesTheCVE2018_11759Class() {
        #expect(normalized("/app/..;/jkstatus") == path("/jkstatus"))
        #expect(normalized("/jkstatus;x/") == path("/jkstatus/"))
        #expect(normalized("/jkstatus;x") == path("/jkstatus"))
        #expect(normalized("//jkstatus") == path("/jkstatus"))
        #expect(normalized("/app/..;a/..;b/x") == .invalid)
        #expect(normalized("/x/.;/jkstatus") == path("/x/jkstatus"))
        #expect(normalized("/app/;/../jkstatus") == path("/jkstatus"))
    }

    @Test func treatsNulAsInvalid() {
        #expect(URINormalizer.normalize([UInt8(ascii: "/"), 0, UInt8(ascii: "a")]) == .invalid)
    }

    @Test func acceptsAnyCollectionOfBytes() {
        let lazy = URIMapFixtures.bytes("/a;x//./b").lazy.map { $0 }
        #expect(URINormalizer.normalize(lazy) == path("/a/b"))
        #expect(URINormalizer.normalize("/a/../b".utf8) == path("/b"))
    }

    @Test func agreesWithTheCFunctionOnEveryShortInput() {
        let alphabet: [UInt8] = [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: ";"), UInt8(ascii: "a")]
        var checked = 0
        for input in URIMapFixtures.allStrings(over: alphabet, maxLength: 8) {
            let expected = URIMapFixtures.cNormalize(input)
            let actual = URINormalizer.normalize(input)
            if actual != expected {
                Issue.record("\(String(decoding: input, as: UTF8.self)): \(actual) != C \(expected)")
                return
            }
            checked += 1
        }
        #expect(checked == 87_381)
    }
}
