import Testing
@testable import JKCore

/// One test per warning: the configuration still loads, exactly as mod_jk would read it, and the
/// warning carries the line to look at.
@Suite struct WorkersConfigurationWarningTests {
    @Test func duplicateUniqueKeyMentionsBothLines() throws {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.host=a", "", "worker.w1.host=b"))
        #expect(result.ajp("w1")?.host == "b")
        let warning = try #require(result.entries(.duplicateKey).first)
        #expect(warning.location?.line == 4)
        #expect(warning.message.contains("workers.properties:2"))
    }

    @Test func userVariablesEndingInAUniqueNameAreReplacedToo() {
        let result = loadWorkers(workersText("my.port=1", "my.port=2", "worker.list=w1", "worker.w1.port=$(my.port)"))
        #expect(result.ajp("w1")?.port == 2)
        #expect(result.lines(.duplicateKey) == [2])
    }

    @Test func duplicateKeysJoinedWithStarColonOrSpace() {
        let result = loadWorkers(workersText("myport=1", "myport=2", "my_path=/a", "my_path=/b",
                                       "worker.list=w1", "worker.w1.port=$(myport)", "worker.w1.secret=$(my_path)"))
        #expect(result.ajp("w1")?.port == 1)
        #expect(result.ajp("w1")?.secret == "/a:/b")
        #expect(result.lines(.duplicateKeyJoined) == [2, 4])
    }

    @Test func listKeysJoinWithCommaSilently() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.fail_on_status=500",
                                       "worker.w1.fail_on_status=-503"))
        #expect(result.ajp("w1")?.failOnStatus == [500, -503])
        #expect(result.log.entries.isEmpty)
    }

    @Test func deprecatedAttributesStillWork() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balanced_workers=m1,m2",
                                       "worker.m1.jvm_route=r1", "worker.m1.cachesize=7", "worker.m1.cache_timeout=30",
                                       "worker.m2.stopped=true", "worker.m2.disabled=true"))
        #expect(result.lb("lb")?.members == ["m1", "m2"])
        #expect(result.ajp("m1")?.route == "r1")
        #expect(result.ajp("m1")?.connectionPoolSize == 7)
        #expect(result.ajp("m1")?.connectionPoolMinSize == 4)
        #expect(result.ajp("m1")?.connectionPoolTimeout == 30)
        #expect(result.ajp("m2")?.activation == .stopped)
        #expect(result.lines(.deprecatedAttribute) == [3, 4, 5, 6, 7, 8])
        #expect(result.entries(.deprecatedAttribute).first?.message.contains("use balance_workers") == true)
    }

    @Test func deprecatedJNIAttributesAreAcceptedAndIgnored() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.class_path=/a", "worker.w1.class_path=/b"))
        #expect(result.configuration != nil)
        #expect(result.warningCodes == [.deprecatedAttribute, .deprecatedAttribute, .duplicateKeyJoined])
    }

    @Test func integerGarbageReadsLikeAtoi() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.port=80abc", "worker.w1.reply_timeout=1s"))
        #expect(result.ajp("w1")?.port == 80)
        #expect(result.ajp("w1")?.replyTimeout == 1)
        #expect(result.lines(.invalidInteger) == [2, 3])
    }

    @Test func integerOverflowWrapsLikeCInt() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.port=4294967297"))
        #expect(result.ajp("w1")?.port == 1)
        #expect(result.lines(.integerOverflow) == [2])
    }

    @Test func unrecognisedBooleanKeepsTheDefault() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.socket_keepalive=enabled"))
        #expect(result.ajp("w1")?.socketKeepalive == false)
        #expect(result.lines(.invalidBoolean) == [2])
    }

    @Test func unrecognisedChoicesKeepTheDefault() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=m",
                                       "worker.lb.method=weighted", "worker.lb.lock=x", "worker.m.activation=on",
                                       "worker.m.ping_mode=none"))
        #expect(result.lb("lb")?.method == .request)
        #expect(result.lb("lb")?.lock == .optimistic)
        #expect(result.ajp("m")?.activation == .active)
        #expect(result.ajp("m")?.pingMode == [])
        #expect(result.lines(.invalidChoice).sorted() == [4, 5, 6, 7])
    }

    @Test func unresolvedAndUnterminatedVariables() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.secret=$(nope)x", "worker.w1.route=a$(b"))
        #expect(result.ajp("w1")?.secret == "$(nope)x")
        #expect(result.ajp("w1")?.route == "a$(b")
        #expect(result.lines(.unresolvedVariable) == [2, 3])
    }

    @Test func hashRightAfterTheEqualsSignEmptiesTheValue() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.secret=#abc", "worker.w1.route= # note"))
        #expect(result.ajp("w1")?.secret == nil)
        #expect(result.lines(.valueCutAtHash) == [2])
    }

    @Test func hashGluedToAValue() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.route=node#1"))
        #expect(result.ajp("w1")?.route == "node")
        #expect(result.lines(.valueCutAtHash) == [2])
    }

    @Test func backslashInWorkerList() {
        let result = loadWorkers(workersText("worker.list=w1,\\", "  w2"))
        #expect(result.configuration?.listed == ["w1", "\\"])
        #expect(result.lines(.backslashIsNotContinuation) == [1])
    }

    @Test func loadBalancerAttributeOnAWorkerOutsideAnyLB() throws {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.sticky_session_force=true"))
        let warning = try #require(result.entries(.loadBalancerAttributeOnAJP13).first)
        #expect(warning.location?.line == 2)
        #expect(warning.message == "worker.w1.sticky_session_force has no effect on ajp13 worker w1;"
            + " it is read only on lb workers")
    }

    @Test(arguments: ["method", "sticky_session", "sticky_session_force", "lock", "balance_workers",
                      "session_cookie", "session_path", "recover_time", "lb_retries", "error_escalation_time",
                      "max_reply_timeouts", "set_session_cookie", "session_cookie_path"])
    func everyLoadBalancerOnlyAttributeOnAMember(attribute: String) {
        let result = loadWorkers(workersText("worker.list=balancer", "worker.balancer.type=lb",
                                       "worker.balancer.balance_workers=t1", "worker.t1.\(attribute)=x1"))
        #expect(result.lines(.loadBalancerAttributeOnAJP13) == [4])
        #expect(result.entries(.loadBalancerAttributeOnAJP13).first?.message.hasSuffix(
            "did you mean worker.balancer.\(attribute)?") == true)
    }

    @Test func attributesTheWorkerTypeNeverReads() {
        let result = loadWorkers(workersText("worker.list=lb,st,w1", "worker.lb.type=lb", "worker.lb.balance_workers=m",
                                       "worker.lb.port=8009", "worker.lb.max_packet_size=16384",
                                       "worker.st.type=status", "worker.st.host=x", "worker.w1.route=r",
                                       "worker.w1.read_only=true", "worker.m.mount=/m/*", "worker.w1.secretkey=k",
                                       "worker.w1.maintain=5", "worker.port=1"))
        #expect(result.lines(.attributeHasNoEffect) == [13, 4, 5, 10, 7, 8, 9, 11, 12])
        #expect(result.configuration?.mounts.isEmpty == true)
        let messages = result.entries(.attributeHasNoEffect).map(\.message)
        #expect(messages.contains("'worker.st.host' has no effect on status worker 'st';"
            + " it is read only by ajp13 workers"))
        #expect(messages.contains("'worker.w1.route' has no effect on ajp13 worker 'w1';"
            + " it is read only by members of an lb"))
        #expect(messages.contains("'worker.lb.port' has no effect on lb worker 'lb'; it is read only by ajp13 workers"))
    }

    @Test func workerDefinedButUnused() throws {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.port=1", "worker.w9.host=x",
                                             "worker.w9.port=2",
                                       "worker.tpl.port=5", "worker.w1.reference=worker.tpl"))
        #expect(result.lines(.unusedWorker) == [3])
        #expect(try #require(result.entries(.unusedWorker).first).message.contains("'w9'"))
    }

    @Test func workersDefinedWithoutWorkerListAreUnused() throws {
        let result = loadWorkers(workersText("worker.tomcat1.port=28009"))
        #expect(result.configuration?.listed == ["ajp13"])
        #expect(result.ajp("ajp13")?.port == 8009)
        #expect(try #require(result.entries(.unusedWorker).first).message.contains("worker.list is not set"))
    }

    @Test func workerListedTwice() {
        let result = loadWorkers(workersText("worker.list=w1,w2", "worker.list=w1"))
        #expect(result.configuration?.listed == ["w1", "w2"])
        #expect(result.configuration?.workers.count == 2)
        #expect(result.lines(.duplicateListEntry) == [2])
    }

    @Test(arguments: ["127.0.0.1:8009", "tomcat:8009", "[::1]:8009"])
    func hostWithEmbeddedPortIsKept(host: String) {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.host=\(host)"))
        #expect(result.ajp("w1")?.host == host)
        #expect(result.ajp("w1")?.port == 8009)
        #expect(result.lines(.hostWithPort) == [2])
    }

    @Test(arguments: ["::1", "fe80::1", "[::1]", "tomcat.example"])
    func ipv6LiteralsAreNotHostWithPort(host: String) {
        #expect(loadWorkers(workersText("worker.list=w1", "worker.w1.host=\(host)")).lines(.hostWithPort).isEmpty)
    }

    @Test func portZeroStopsAMember() {
        let result = loadWorkers(workersText("worker.list=lb,w1", "worker.lb.type=lb", "worker.lb.balance_workers=m",
                                       "worker.m.port=0", "worker.w1.port=0"))
        #expect(result.ajp("m")?.activation == .stopped)
        #expect(result.ajp("w1")?.activation == .active)
        #expect(result.lines(.contactDisabled) == [4, 5])
    }

    @Test func recoveryOptionsWithHEADAndGETBits() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.recovery_options=27"))
        #expect(result.ajp("w1")?.recoveryOptions == [.abortIfBackendReceivedRequest, .abortIfHeadersSent,
                                                      .alwaysRecoverHEAD, .alwaysRecoverGET])
        #expect(result.lines(.recoveryOptionsGETIgnored) == [2])
    }

    @Test func memberUsedWithDifferentSecrets() {
        let result = loadWorkers(workersText("worker.list=lb1,lb2", "worker.lb1.type=lb",
                                             "worker.lb1.balance_workers=m",
                                       "worker.lb1.secret=one", "worker.lb2.type=lb", "worker.lb2.balance_workers=m",
                                       "worker.lb2.secret=two"))
        #expect(result.ajp("m")?.secret == "one")
        #expect(result.lines(.ambiguousInheritedSecret) == [3])
    }

    @Test func memberAlsoListedDirectlyWithAnInheritedSecret() {
        let result = loadWorkers(workersText("worker.list=lb,m", "worker.lb.type=lb", "worker.lb.balance_workers=m",
                                       "worker.lb.secret=s"))
        #expect(result.ajp("m")?.secret == "s")
        #expect(result.worker("m")?.location?.line == 3)
        #expect(result.lines(.ambiguousInheritedSecret) == [3])
    }

    @Test func warningsNeverFailTheLoad() {
        let result = loadWorkers(WorkersConfigurationTests.appendixB)
        #expect(result.configuration != nil)
        #expect(!result.log.hasErrors)
        #expect(!result.log.entries.isEmpty)
    }
}
