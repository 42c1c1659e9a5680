import Testing
@testable import JKCore

/// §5.2–5.3 and §13.2 scenarios T15–T22, T24 and the map-level part of T26.
@Suite struct URIMapTests {
    private typealias F = URIMapFixtures

    /// The reference configuration of T15–T22: `JkMount /app/* w1`, `JkMount /exact w1`,
    /// `JkMount /x/*.jsp w1`, `JkUnMount /app/static/* w1`, `JkUnMount /app/*.gif *`,
    /// `<Location /loc> JkMount w1 </Location>`.
    private let t15Map = F.jkMountMap([
        ("/app/*", "w1"), ("/exact", "w1"), ("/x/*.jsp", "w1"),
        ("!/app/static/*", "w1"), ("!/app/*.gif", "*"), ("/loc", "w1"),
    ])

    // MARK: - Reference scenarios

    @Test func t15PrefixMountNeedsTheSlash() {
        #expect(F.worker(t15Map, "/app/a") == "w1")
        #expect(F.worker(t15Map, "/appx") == nil)
        #expect(F.worker(t15Map, "/app") == nil)
    }

    @Test func t16ExactMountMatchesOnlyItself() {
        #expect(F.worker(t15Map, "/exact") == "w1")
        #expect(F.worker(t15Map, "/exact/") == nil)
        #expect(F.worker(t15Map, "/exact/x") == nil)
    }

    @Test func t17LocationMountIsExact() {
        #expect(F.worker(t15Map, "/loc") == "w1")
        #expect(F.worker(t15Map, "/loc/sub") == nil)
    }

    @Test func t18StarSpansSlashesAndMatchingIsCaseSensitive() {
        #expect(F.worker(t15Map, "/x/y/z.jsp") == "w1")
        #expect(F.worker(t15Map, "/x/z.JSP") == nil)
        #expect(F.worker(t15Map, "/APP/a") == nil)
    }

    @Test func t19ExclusionsForTheWorkerAndForAnyWorker() {
        #expect(F.worker(t15Map, "/app/static/s.css") == nil)
        #expect(F.worker(t15Map, "/app/img.gif") == nil)
        #expect(F.worker(t15Map, "/app/static") == "w1")
    }

    @Test func t20SpecificityIsIndependentOfDeclarationOrder() {
        for specs in [[("/a/*", "w1"), ("/a/b/*", "w2")], [("/a/b/*", "w2"), ("/a/*", "w1")]] {
            let map = F.jkMountMap(specs)
            #expect(F.worker(map, "/a/b/c") == "w2")
            #expect(F.worker(map, "/a/c") == "w1")
        }
    }

    @Test func t21PathParametersAreIgnoredForMapping() {
        #expect(F.worker(t15Map, "/app/x;jsessionid=ABC/y") == "w1")
        #expect(F.worker(t15Map, "/app;v=1/z") == "w1")
        // The forwarded URI is the original, parameters included.
        #expect(ForwardedURI.proxyEncoded(F.bytes("/app/x;jsessionid=ABC/y")) == F.bytes("/app/x;jsessionid=ABC/y"))
    }

    @Test func t22DotSegmentsAndDoubleSlashes() {
        #expect(F.worker(t15Map, "/app/./b/../c") == "w1")
        #expect(F.worker(t15Map, "/app//double") == "w1")
        #expect(F.worker(t15Map, "/a/../../b") == nil)
        #expect(URINormalizer.normalize(F.bytes("/a/../../b")) == .invalid)
    }

    @Test func t24RejectUnsafeURI() {
        // "/app/a%25b" is decoded by httpd to "/app/a%b" before mapping.
        #expect(F.worker(t15Map, "/app/a%b", rejectUnsafe: true) == nil)
        #expect(F.worker(t15Map, "/app/a%b", rejectUnsafe: false) == "w1")
        #expect(F.worker(t15Map, "/app/a\\b", rejectUnsafe: true) == nil)
        #expect(F.worker(t15Map, "/app/ab", rejectUnsafe: true) == "w1")
    }

    @Test func t26VhostInheritanceAtMapLevel() {
        let main = F.jkMountMap([("/a/*", "w1")])
        let vhost = URIMap(rules: [])
        #expect(F.worker(vhost, "/a/x") == nil)                                   // no JkMountCopy
        #expect(F.worker(vhost.inheriting(from: main), "/a/x") == "w1")         // JkMountCopy On / All
        let own = F.jkMountMap([("/a/*", "w2")]).inheriting(from: main)
        #expect(F.worker(own, "/a/x") == "w2")                                    // own rule wins
        #expect(own.rules.count == 1)
    }

    @Test func t37MapsThePathWithoutParameters() {
        // httpd turns "/w1/a%20b/../c;jsessionid=Z" into r->uri "/w1/c;jsessionid=Z".
        let map = F.jkMountMap([("/w1/*", "w1")])
        guard case .path(let path) = URINormalizer.normalize(F.bytes("/w1/c;jsessionid=Z")) else {
            Issue.record("not normalised")
            return
        }
        #expect(path == F.bytes("/w1/c"))
        #expect(map.match(path, rejectUnsafe: false).map { map.rules[$0].pattern } == "/w1/*")
    }

    // MARK: - Precedence

    @Test func moreSlashesBeatLongerPatterns() {
        let map = F.jkMountMap([("/a/*.verylongsuffix", "long"), ("/a/b/*", "deep")])
        #expect(F.worker(map, "/a/b/x.verylongsuffix") == "deep")
        #expect(F.worker(map, "/a/x.verylongsuffix") == "long")
    }

    @Test func longerPatternBeatsHigherSource() {
        var log = DiagnosticLog()
        let rules = F.rules([("/a/*.jsp", "jk")], log: &log)
            + F.rules([("/a/*", "file")], source: .mountFile, log: &log)
        let map = URIMap(rules: rules)
        #expect(F.worker(map, "/a/x.jsp") == "jk")
    }

    @Test func sourceRankBreaksTiesWhateverTheOrder() {
        var log = DiagnosticLog()
        let candidates = F.rules([("/a/*", "fromWorker")], source: .workerProperty, log: &log)
            + F.rules([("/a/*", "fromJkMount")], source: .jkMount, log: &log)
            + F.rules([("/a/*", "fromFile")], source: .mountFile, log: &log)
        for permutation in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let map = URIMap(rules: permutation.map { candidates[$0] })
            #expect(F.worker(map, "/a/x") == "fromFile")
            #expect(map.rules.map(\.source) == [.mountFile, .jkMount, .workerProperty])
        }
    }

    @Test func sortsBySlashesThenLengthThenSource() {
        let map = F.jkMountMap([("/a", "w"), ("/a/b/c", "w"), ("/*", "w"), ("/abc/*", "w"), ("/a/*", "w")])
        #expect(map.rules.map(\.pattern) == ["/a/b/c", "/abc/*", "/a/*", "/a", "/*"])
    }

    @Test func sameSourceTiesKeepDeclarationOrderAndWarn() {
        var log = DiagnosticLog()
        let rules = F.rules([("/a/*", "w1")], source: .workerProperty, log: &log)
            + F.rules([("/a/*", "w2")], source: .workerProperty, log: &log)
        let map = URIMap(rules: rules, log: &log)
        #expect(F.worker(map, "/a/x") == "w1")
        #expect(F.codes(log) == ["ambiguous-mount"])
        let reversed = URIMap(rules: rules.reversed())
        #expect(F.worker(reversed, "/a/x") == "w2")
    }

    @Test func resortingASortedTableChangesNothing() {
        var map = F.jkMountMap([("/a/*", "w1"), ("/b/*", "w2"), ("/a/b", "w3")])
        let before = map.rules
        map.rules = map.rules
        #expect(map.rules == before)
        map.rules.append(MountRule(pattern: "/c/d/*", worker: "w4", source: .jkMount))
        #expect(map.rules.first?.pattern == "/c/d/*")
        #expect(F.worker(map, "/c/d/e") == "w4")
    }

    // MARK: - Exclusions, disabled rules, shorthand

    @Test func exclusionForAnotherWorkerDoesNotApply() {
        let map = F.jkMountMap([("/app/*", "w2"), ("!/app/*.gif", "w1")])
        #expect(F.worker(map, "/app/x.gif") == "w2")
    }

    @Test func exclusionsAreCheckedAgainstTheURINotThePattern() {
        let map = F.jkMountMap([("/app/*", "w1"), ("/other/*", "w2"), ("!/*.gif", "*")])
        #expect(F.worker(map, "/app/a/b.gif") == nil)
        #expect(F.worker(map, "/other/b.gif") == nil)
        #expect(F.worker(map, "/app/b.png") == "w1")
    }

    @Test func exactExclusionCancelsOnlyThatURI() {
        let map = F.jkMountMap([("/app/*", "w1"), ("!/app/secret", "w1")])
        #expect(F.worker(map, "/app/secret") == nil)
        #expect(F.worker(map, "/app/secret/x") == "w1")
        #expect(F.worker(map, "/app/secret;x") == nil)
    }

    @Test func disabledRulesTakeNoPart() {
        let map = F.jkMountMap([("/m/*", "w1"), ("-/m/off/*", "w2"), ("!/m/*.css", "w1"), ("-!/m/x.png", "w1")])
        #expect(F.worker(map, "/m/off/a") == "w1")
        #expect(F.worker(map, "/m/a.css") == nil)
        #expect(F.worker(map, "/m/x.png") == "w1")
        let disabled = map.rules.filter(\.isDisabled)
        #expect(disabled.map(\.pattern).sorted() == ["/m/off/*", "/m/x.png"])
        #expect(disabled.first { $0.pattern == "/m/x.png" }?.isExclusion == true)
    }

    @Test func pipeShorthandMakesTwoRulesWithTheSamePrefixes() {
        var log = DiagnosticLog()
        let rules = F.rules([("/app|/*", "w1"), ("-!/n|/x", "w2")], log: &log)
        #expect(rules.map(\.pattern) == ["/app", "/app/*", "/n", "/n/x"])
        #expect(rules.map(\.isDisabled) == [false, false, true, true])
        #expect(rules.map(\.isExclusion) == [false, false, true, true])
        let map = URIMap(rules: rules)
        #expect(F.worker(map, "/app") == "w1")
        #expect(F.worker(map, "/app/x") == "w1")
        #expect(F.worker(map, "/appx") == nil)
        #expect(log.entries.isEmpty)
    }

    @Test func pipeShorthandUsesOnlyTheFirstBar() {
        var log = DiagnosticLog()
        let rules = F.rules([("/a|/b|c", "w1")], log: &log)
        #expect(rules.map(\.pattern) == ["/a", "/a/b|c"])
    }

    @Test func pipeShorthandKeepsTheValidHalf() {
        var log = DiagnosticLog()
        let rules = F.rules([("|/*", "w1")], source: .mountFile, log: &log)
        #expect(rules.map(\.pattern) == ["/*"])
        #expect(F.codes(log) == ["uri-pattern-not-absolute"])
    }

    @Test func workerMountTakesThePipeLiterally() {
        var log = DiagnosticLog()
        let rules = F.rules([("/a|/*", "w1")], source: .workerProperty, log: &log)
        #expect(rules.map(\.pattern) == ["/a|/*"])
        #expect(F.codes(log) == ["mount-pipe-not-expanded"])
        let map = URIMap(rules: rules)
        #expect(F.worker(map, "/a|/x") == "w1")
        #expect(F.worker(map, "/a/x") == nil)
    }

    // MARK: - Rule parsing diagnostics

    @Test func rejectsPatternsThatDoNotStartWithSlash() {
        var log = DiagnosticLog()
        #expect(F.rules([("*.jsp", "w1")], source: .mountFile, log: &log).isEmpty)
        #expect(log.entries.first?.message.contains("'/*.jsp'") == true)
        #expect(F.rules([("!*.html", "*")], source: .mountFile, log: &log).isEmpty)
        #expect(F.rules([("!-/p", "w1")], log: &log).isEmpty)
        #expect(F.rules([("-", "w1")], log: &log).isEmpty)
        #expect(F.codes(log) == Array(repeating: "uri-pattern-not-absolute", count: 4))
        #expect(log.entries.allSatisfy { $0.severity == .warning })
        #expect(log.entries.first?.location == SourceLocation(file: "httpd.conf", line: 1))
    }

    @Test func splitsWorkerAndExtensions() {
        var log = DiagnosticLog()
        let rules = F.rules([("/lb/*", "lb;sticky_ignore=1;reply_timeout=100")], log: &log)
        #expect(rules.first?.worker == "lb")
        #expect(rules.first?.extensions == RuleExtensions(replyTimeout: 100, stickyIgnore: true))
        #expect(log.entries.isEmpty)
    }

    @Test func warnsAboutStarWorkerOutsideExclusions() {
        var log = DiagnosticLog()
        _ = F.rules([("/a/*", "*"), ("!/b/*", "*")], log: &log)
        #expect(F.codes(log) == ["wildcard-worker-in-mount"])
    }

    @Test func warnsAboutExactRulesThatLookLikePrefixes() {
        var log = DiagnosticLog()
        let rules = F.rules([("/app/", "w1"), ("/loc", "w1"), ("/ok", "w1"), ("/ok/*", "w1"), ("/index.jsp", "w1"),
                             ("/a/b", "w1")], log: &log)
        #expect(F.codes(log) == ["exact-mount-looks-like-prefix"])
        _ = URIMap(rules: rules, log: &log)
        #expect(F.codes(log) == ["exact-mount-looks-like-prefix", "exact-mount-looks-like-prefix"])
        #expect(log.entries.last?.location?.line == 2)
    }

    @Test func laterJkMountWithTheSameKeyReplacesTheEarlier() {
        var log = DiagnosticLog()
        let rules = F.rules([("/a/*", "w1"), ("!/a/x", "w1"), ("/a/*", "w2"), ("!/a/x", "w2")], log: &log)
        let map = URIMap(rules: rules, log: &log)
        #expect(F.codes(log) == ["duplicate-mount", "duplicate-mount"])
        #expect(map.rules.count == 2)
        #expect(F.worker(map, "/a/y") == "w2")
        #expect(F.worker(map, "/a/x") == nil)
    }

    @Test func mountAndUnmountOfOnePatternAreDifferentKeys() {
        var log = DiagnosticLog()
        let map = URIMap(rules: F.rules([("/a/*", "w1"), ("!/a/*", "w1")], log: &log), log: &log)
        #expect(log.entries.isEmpty)
        #expect(map.rules.count == 2)
        #expect(F.worker(map, "/a/x") == nil)
    }

    // MARK: - JkMountCopy

    @Test func inheritanceCopiesOnlyJkMountRules() {
        var log = DiagnosticLog()
        let main = URIMap(rules: F.rules([("/w/*", "w0")], source: .workerProperty, log: &log)
            + F.rules([("/f/*", "w3")], source: .mountFile, log: &log)
            + F.rules([("/j/*", "w2")], log: &log))
        let vhost = URIMap(rules: []).inheriting(from: main)
        #expect(vhost.rules.map(\.pattern) == ["/j/*"])
    }

    @Test func ownUnmountDoesNotHideTheParentsMountButExcludesIt() {
        let main = F.jkMountMap([("/a/*", "w1")])
        let vhost = F.jkMountMap([("!/a/*", "w1")]).inheriting(from: main)
        #expect(vhost.rules.count == 2)
        #expect(F.worker(vhost, "/a/x") == nil)
    }

    // MARK: - Lookup limits

    @Test func neverMapsURIsLongerThan4095Bytes() {
        let map = F.jkMountMap([("/*", "w1"), ("/a*", "w1")])
        let longest = "/" + String(repeating: "a", count: 4094)
        #expect(map.match(F.bytes(longest), rejectUnsafe: false) != nil)
        #expect(map.match(F.bytes(longest + "a"), rejectUnsafe: false) == nil)
    }

    @Test func neverMapsPathsWithoutLeadingSlash() {
        let map = F.jkMountMap([("/*", "w1")])
        #expect(map.match(F.bytes("*"), rejectUnsafe: false) == nil)
        #expect(map.match(F.bytes("a/b"), rejectUnsafe: false) == nil)
        #expect(map.match([UInt8](), rejectUnsafe: false) == nil)
    }

    @Test func emptyMapMapsNothing() {
        #expect(URIMap(rules: []).match(F.bytes("/a"), rejectUnsafe: false) == nil)
    }

    @Test func acceptsNonContiguousInput() {
        let map = F.jkMountMap([("/app/*", "w1")])
        let lazy = F.bytes("/app/x").lazy.map { $0 }
        #expect(map.match(lazy, rejectUnsafe: false) == 0)
        #expect(map.match("/app/x".utf8, rejectUnsafe: false) == 0)
    }

    // MARK: - Wildcards

    @Test func wildcardCharacters() {
        let map = F.jkMountMap([("/q/?.jsp", "one"), ("/s/*", "any"), ("/m/a*b*c", "multi"), ("/d/**x", "stars")])
        #expect(F.worker(map, "/q/a.jsp") == "one")
        #expect(F.worker(map, "/q/ab.jsp") == nil)
        #expect(F.worker(map, "/q/.jsp") == nil)
        #expect(F.worker(map, "/s/") == "any")
        #expect(F.worker(map, "/s/a/b/c") == "any")
        #expect(F.worker(map, "/m/abc") == "multi")
        #expect(F.worker(map, "/m/a/x/b/y/c") == "multi")
        #expect(F.worker(map, "/m/a/x/b/y/cd") == nil)
        #expect(F.worker(map, "/d/x") == "stars")
        #expect(F.worker(map, "/d/yyx") == "stars")
    }

    @Test func wildcardMatcherAgreesWithTheRecursiveCFunction() {
        let a = UInt8(ascii: "a"), b = UInt8(ascii: "b")
        let patterns = F.allStrings(over: [a, b, UInt8(ascii: "*"), UInt8(ascii: "?")], maxLength: 5)
        let texts = F.allStrings(over: [a, b], maxLength: 6)
        var mismatches = 0
        for pattern in patterns {
            let cPattern = pattern + [0]
            pattern.withUnsafeBufferPointer { patternBuffer in
                for text in texts {
                    let expected = F.cWildchar(text + [0], 0, cPattern, 0) == 0
                    let actual = text.withUnsafeBufferPointer { WildcardPattern.wildcardMatch(patternBuffer, $0) }
                    if actual != expected { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func pathologicalPatternsStayPolynomial() {
        let map = F.jkMountMap([("/*a*a*a*a*a*a*a*a*b", "w1")])
        let text = F.bytes("/" + String(repeating: "a", count: 4000))
        #expect(map.match(text, rejectUnsafe: false) == nil)
        #expect(map.match(text + [UInt8(ascii: "b")], rejectUnsafe: false) == 0)
    }
}
