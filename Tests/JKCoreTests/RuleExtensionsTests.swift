import Testing
@testable import JKCore

/// §5.4 rule extensions as mod_jk 1.2.48's parse_rule_extensions reads them.
@Suite struct RuleExtensionsTests {
    private func parse(_ spec: String, _ log: inout DiagnosticLog) -> (String, RuleExtensions) {
        let (worker, tokens) = RuleExtensions.split(workerSpec: spec)
        return (worker, RuleExtensions.parse(tokens[...], location: nil, log: &log))
    }

    @Test func splitsLikeStrtok() {
        #expect(RuleExtensions.split(workerSpec: "lb").worker == "lb")
        #expect(RuleExtensions.split(workerSpec: "lb").tokens.isEmpty)
        #expect(RuleExtensions.split(workerSpec: "lb;;a=1;").tokens == ["a=1"])
        #expect(RuleExtensions.split(workerSpec: ";w;x=1").worker == ";w")
        #expect(RuleExtensions.split(workerSpec: ";w;x=1").tokens == ["x=1"])
        #expect(RuleExtensions.split(workerSpec: "w1 ; x=1").worker == "w1 ")
    }

    @Test func parsesEveryExtension() {
        var log = DiagnosticLog()
        let spec = "lb;reply_timeout=100;sticky_ignore=1;stateless=2;active=m1,m2;disabled=m3 m4;stopped=m5;"
            + "fail_on_status=500,503 -404;use_server_errors=400;session_cookie=SID;session_path=;sid;"
            + "set_session_cookie=1;session_cookie_path=/app"
        let (worker, extensions) = parse(spec, &log)
        #expect(worker == "lb")
        #expect(extensions == RuleExtensions(replyTimeout: 100, stickyIgnore: true, stateless: true,
                                             active: ["m1", "m2"], disabled: ["m3", "m4"], stopped: ["m5"],
                                             failOnStatus: [500, 503, -404], useServerErrors: 400,
                                             sessionCookie: "SID", sessionPath: "sid", setSessionCookie: true,
                                             sessionCookiePath: "/app"))
        #expect(log.entries.isEmpty)
    }

    @Test func noExtensionsIsEmpty() {
        var log = DiagnosticLog()
        #expect(parse("w1", &log).1.isEmpty)
        #expect(parse("w1;sticky_ignore=0", &log).1.stickyIgnore == false)
    }

    @Test func unknownExtensionIsIgnoredWithAWarning() {
        var log = DiagnosticLog()
        let (_, extensions) = parse("w1;colour=blue;reply_timeout;sticky_ignore_x=1;reply_timeout=5", &log)
        #expect(extensions == RuleExtensions(replyTimeout: 5))
        #expect(log.entries.map(\.code) == Array(repeating: .unknownRuleExtension, count: 3))
        #expect(log.entries.allSatisfy { $0.severity == .warning })
    }

    @Test func onceOnlyExtensionsKeepTheFirstValue() {
        var log = DiagnosticLog()
        let (_, extensions) = parse("lb;active=a;active=b;fail_on_status=500;fail_on_status=503;"
                                    + "session_cookie=A;session_cookie=B;session_cookie_path=/a;session_cookie_path=/b",
                                    &log)
        #expect(extensions.active == ["a"])
        #expect(extensions.failOnStatus == [500])
        #expect(extensions.sessionCookie == "A")
        #expect(extensions.sessionCookiePath == "/a")
        #expect(log.entries.map(\.code) == Array(repeating: .duplicateRuleExtension, count: 4))
    }

    @Test func repeatableExtensionsKeepTheLastValueSilently() {
        var log = DiagnosticLog()
        let (_, extensions) = parse("lb;reply_timeout=1;reply_timeout=2;sticky_ignore=1;sticky_ignore=0;"
                                    + "use_server_errors=500;use_server_errors=404", &log)
        #expect(extensions == RuleExtensions(replyTimeout: 2, stickyIgnore: false, useServerErrors: 404))
        #expect(log.entries.isEmpty)
    }

    @Test func emptySessionPathTakesTheNextToken() {
        var log = DiagnosticLog()
        #expect(parse("lb;session_path=;jsessionid", &log).1.sessionPath == "jsessionid")
        #expect(parse("lb;session_path=;jsessionid;reply_timeout=3", &log).1
                == RuleExtensions(replyTimeout: 3, sessionPath: "jsessionid"))
        // The next token is taken even when it looks like an extension.
        #expect(parse("lb;session_path=;reply_timeout=3", &log).1 == RuleExtensions(sessionPath: "reply_timeout=3"))
        #expect(parse("lb;session_path=", &log).1.sessionPath == nil)
        #expect(parse("lb;session_path=;;x", &log).1.sessionPath == "x")
        #expect(log.entries.isEmpty)
    }

    @Test func sessionPathGivenTwiceKeepsTheFirst() {
        var log = DiagnosticLog()
        #expect(parse("lb;session_path=a;session_path=b", &log).1.sessionPath == "a")
        #expect(log.entries.map(\.code) == [.duplicateRuleExtension])
        var quiet = DiagnosticLog()
        // The empty form swallows the next token whatever it is, even another session_path.
        #expect(parse("lb;session_path=;session_path=b", &quiet).1.sessionPath == "session_path=b")
    }

    @Test func setSessionCookieCanOnlyBeOverriddenWhileFalse() {
        var log = DiagnosticLog()
        #expect(parse("lb;set_session_cookie=0;set_session_cookie=1", &log).1.setSessionCookie == true)
        #expect(log.entries.isEmpty)
        #expect(parse("lb;set_session_cookie=1;set_session_cookie=0", &log).1.setSessionCookie == true)
        #expect(log.entries.map(\.code) == [.duplicateRuleExtension])
    }

    @Test func emptyFailOnStatusReplacesTheWorkersList() {
        var log = DiagnosticLog()
        #expect(parse("w;fail_on_status=", &log).1.failOnStatus == [])
        #expect(parse("w;fail_on_status=500,,503", &log).1.failOnStatus == [500, 503])
        #expect(parse("w", &log).1.failOnStatus == nil)
    }

    @Test func numbersAreReadLikeAtoi() {
        #expect(CInteger.atoi("42") == (42, true))
        #expect(CInteger.atoi("  -7") == (-7, true))
        #expect(CInteger.atoi("+7") == (7, true))
        #expect(CInteger.atoi("12x") == (12, false))
        #expect(CInteger.atoi("abc") == (0, false))
        #expect(CInteger.atoi("") == (0, false))
        #expect(CInteger.atoi("-") == (0, false))
        #expect(CInteger.atoi("2147483647") == (2_147_483_647, true))
        #expect(CInteger.atoi("2147483648") == (-2_147_483_648, true))
        #expect(CInteger.atoi("99999999999") == (1_215_752_191, true))
        #expect(CInteger.atoi("99999999999999999999") == (-1, true))
        #expect(CInteger.atoi("-99999999999999999999") == (0, true))
    }

    @Test func garbageNumbersWarnButBehaveLikeAtoi() {
        var log = DiagnosticLog()
        let (_, extensions) = parse("w;reply_timeout=abc;sticky_ignore=yes;use_server_errors=500ms", &log)
        #expect(extensions == RuleExtensions(replyTimeout: 0, stickyIgnore: false, useServerErrors: 500))
        #expect(log.entries.map(\.code) == Array(repeating: .ruleExtensionNotANumber, count: 3))
    }
}
