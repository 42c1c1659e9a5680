import Testing
@testable import JKCore

/// §5.5 uriworkermap.properties, scenario T23, and how file rules combine with the other sources.
@Suite struct MountFileParserTests {
    private typealias F = URIMapFixtures

    @Test func t23Modifiers() {
        let text = """
            /m/*=w1
            -/m/off/*=w1
            !/m/*.css=w1
            -!/m/x.css=w1
            /n|/*=w1
            *.jsp=w1
            """
        var log = DiagnosticLog()
        let rules = MountFileParser.parse(text, file: "uriworkermap.properties", log: &log)
        let map = URIMap(rules: rules)
        #expect(F.worker(map, "/m/a") == "w1")
        #expect(F.worker(map, "/m/off/a") == "w1")
        #expect(F.worker(map, "/m/a.css") == nil)
        #expect(F.worker(map, "/m/x.css") == nil)
        #expect(F.worker(map, "/n") == "w1")
        #expect(F.worker(map, "/n/a") == "w1")
        #expect(F.worker(map, "/x.jsp") == nil)
        #expect(F.codes(log) == ["uri-pattern-not-absolute"])
        #expect(log.entries.first?.severity == .warning)
        #expect(log.entries.first?.location == SourceLocation(file: "uriworkermap.properties", line: 6))
        #expect(log.entries.first?.message.contains("/*.jsp") == true)
        #expect(rules.count == 6)
        #expect(rules.allSatisfy { $0.source == .mountFile })
    }

    @Test func followsTheSharedLineRules() {
        let text = """
            # comment line
            /a/* = w1   # main
            /b/*=
            no equals here
              /c/*=w2;reply_timeout=7#x
            """
        var log = DiagnosticLog()
        let rules = MountFileParser.parse(text, file: "map", log: &log)
        #expect(rules.map(\.pattern) == ["/a/*", "/c/*"])
        #expect(rules.map(\.worker) == ["w1", "w2"])
        #expect(rules.last?.extensions.replyTimeout == 7)
        #expect(rules.map { $0.location?.line } == [2, 5])
        #expect(log.entries.isEmpty)
    }

    @Test func laterDuplicateKeyWinsWithAWarning() {
        let text = """
            /a/*=w1
            !/a/*=w1
            /a/*=w2
            """
        var log = DiagnosticLog()
        let rules = MountFileParser.parse(text, file: "map", log: &log)
        #expect(rules.count == 2)
        #expect(rules.first?.worker == "w2")
        #expect(rules.first?.location?.line == 3)
        #expect(F.codes(log) == ["duplicate-mount"])
        #expect(log.entries.first?.severity == .warning)
    }

    @Test func substitutesVariablesFromEarlierKeysAndTheEnvironment() {
        let text = """
            /base/*=w1
            /c/*=$(/base/*)
            /e/*=$(WORKER)
            /u/*=$(nope)x
            /t/*=$(WORKER
            /later/*=$(/z/*)
            /z/*=w9
            """
        var log = DiagnosticLog()
        let rules = MountFileParser.parse(text, file: "map",
                                          environment: { $0 == "WORKER" ? "w5" : nil }, log: &log)
        #expect(rules.map(\.worker) == ["w1", "w1", "w5", "$(nope)x", "$(WORKER", "$(/z/*)", "w9"])
        var noEnvironment = DiagnosticLog()
        #expect(MountFileParser.parse("/e/*=$(WORKER)", file: "map", log: &noEnvironment).first?.worker
                == "$(WORKER)")
    }

    @Test func substitutionDoesNotRescanAndStopsAfter21References() {
        let value = String(repeating: "$(v)", count: 22)
        let result = MountFileParser.substituteVariables(in: value, environment: { _ in nil }) { name in
            name == "v" ? "$(v)x" : nil
        }
        #expect(result == String(repeating: "$(v)x", count: 21) + "$(v)")
    }

    @Test func invalidLinesAreSkippedAndTheRestLoads() {
        var log = DiagnosticLog()
        let rules = MountFileParser.parse("a/*=w1\n/ok/*=w1\n!*.gif=*\n", file: "map", log: &log)
        #expect(rules.map(\.pattern) == ["/ok/*"])
        #expect(F.codes(log) == ["uri-pattern-not-absolute", "uri-pattern-not-absolute"])
    }

    @Test func fileRulesBeatJkMountAndWorkerMountsOnEqualPatterns() {
        var log = DiagnosticLog()
        let rules = F.rules([("/a/*", "fromWorker")], source: .workerProperty, log: &log)
            + MountFileParser.parse("/a/*=fromFile", file: "map", log: &log)
            + F.rules([("/a/*", "fromJkMount")], log: &log)
        let map = URIMap(rules: rules, log: &log)
        #expect(F.worker(map, "/a/x") == "fromFile")
        #expect(log.entries.isEmpty)
    }

    @Test func disabledFileRuleDoesNotRemoveAJkMount() {
        // T25's reload turns "/r/*=w1" into "-/r/*=w1"; a JkMount for the same pattern still maps.
        var log = DiagnosticLog()
        let rules = MountFileParser.parse("-/r/*=w1", file: "map", log: &log) + F.rules([("/r/*", "w2")], log: &log)
        let map = URIMap(rules: rules)
        #expect(F.worker(map, "/r/a") == "w2")
        let fileOnly = URIMap(rules: MountFileParser.parse("-/r/*=w1", file: "map", log: &log))
        #expect(F.worker(fileOnly, "/r/a") == nil)
    }

    @Test func pipeDuplicatesInOneFileWarnAsAmbiguous() {
        var log = DiagnosticLog()
        let rules = MountFileParser.parse("/a|/*=w1\n/a/*=w2\n", file: "map", log: &log)
        let map = URIMap(rules: rules, log: &log)
        #expect(F.worker(map, "/a/x") == "w1")
        #expect(F.codes(log) == ["ambiguous-mount"])
    }
}
