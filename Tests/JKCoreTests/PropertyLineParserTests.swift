import Testing
@testable import JKCore

/// Line rules of reference §6.2 steps 1–4, for the workers file and for JkWorkerProperty arguments.
@Suite struct PropertyLineParserTests {
    private func parse(_ text: String) -> [PropertyLine] {
        PropertyLineParser.parse(text, file: "w.properties")
    }

    @Test func stripsCommentsAnywhereOnTheLine() {
        let parsed = parse(workersText("worker.list=w1   # main", "# whole line", "worker.w1.secret=abc#def"))
        #expect(parsed.map(\.key) == ["worker.list", "worker.w1.secret"])
        #expect(parsed.map(\.value) == ["w1", "abc"])
        #expect(parsed.map(\.location.line) == [1, 3])
    }

    @Test func trimsAndSplitsAtTheFirstEquals() {
        let parsed = parse(" \tkey  =  a=b \r\n")
        #expect(parsed == [PropertyLine(key: "key", value: "a=b", location: .init(file: "w.properties", line: 1))])
    }

    @Test func ignoresEmptyValuesEmptyKeysAndLinesWithoutEquals() {
        #expect(parse(workersText("worker.w1.host=", "=value", "no equals here", "   ",
                                  "key = # only comment")).isEmpty)
    }

    @Test func keepsATrailingBackslash() {
        let parsed = parse(workersText("worker.lb.balance_workers=tomcat1,\\", "  tomcat2"))
        #expect(parsed.map(\.value) == ["tomcat1,\\"])
    }

    @Test func numbersLinesFromFirstLine() {
        let parsed = PropertyLineParser.parse(workersText("a=1", "", "b=2"), file: "f", firstLine: 40)
        #expect(parsed.map(\.location.line) == [40, 42])
    }

    @Test func directiveArgumentsKeepHash() {
        let lines = SourceLineReader.lines(of: .directive(" worker.w1.secret = abc#def ", file: "httpd.conf", line: 7))
        #expect(lines.first?.property == PropertyLine(key: "worker.w1.secret", value: "abc#def",
                                                      location: .init(file: "httpd.conf", line: 7)))
    }

    @Test func findsValuesCutAtAGluedHash() {
        let read = SourceLineReader.lines(of: .workersFile(workersText("a=abc#def", "b=x # note", "c=#x"), file: "f"))
        #expect(read.map { SourceLineReader.valueCutAtHash($0) } == ["#def", nil, nil])
    }
}

/// What mod_jk's 8192-byte `fgets` buffer and C strings do to unusual workers-file lines.
@Suite struct WorkersFileLineTests {
    @Test func linesLongerThan8191BytesAreReadAsSeveralLines() {
        let padding = String(repeating: "x", count: 8191 - "worker.w1.secret=".utf8.count)
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.secret=" + padding + "worker.w1.port=28009"))
        #expect(result.ajp("w1")?.secret == padding)
        #expect(result.ajp("w1")?.port == 28009)
        #expect(result.lines(.longLineSplit) == [2])
    }

    @Test func aLineOfExactly8191BytesIsWhole() {
        let padding = String(repeating: "x", count: 8191 - "worker.w1.secret=".utf8.count)
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.secret=" + padding))
        #expect(result.ajp("w1")?.secret == padding)
        #expect(result.log.entries.isEmpty)
    }

    @Test func aNulByteEndsTheLine() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.port=28009\u{0}9", "worker.w1.host=h"))
        #expect(result.ajp("w1")?.port == 28009)
        #expect(result.ajp("w1")?.host == "h")
    }
}
