import Testing
@testable import JKCore

/// Defaults and derived defaults of the ajp13, lb and status settings (reference §7.3–§7.6).
@Suite struct WorkerSettingsTests {
    private func ajp(_ properties: String...) -> AJPWorkerSettings? {
        loadWorkers((["worker.list=w1"] + properties.map { "worker.w1." + $0 }).joined(separator: "\n")).ajp("w1")
    }

    @Test func ajp13DefaultsAreThoseOfMod_jk() throws {
        let settings = try #require(ajp())
        var expected = AJPWorkerSettings(workerName: "w1")
        expected.route = "w1"
        #expect(settings == expected)
        #expect(settings.host == "localhost")
        #expect(settings.port == 8009)
        #expect(settings.connectionPoolSize == nil)
        #expect(settings.connectionPoolMinSize == nil)
        #expect(settings.connectionAcquireTimeout == 200)
        #expect(settings.pingTimeout == 10000)
        #expect(settings.retries == 2)
        #expect(settings.retryInterval == 100)
        #expect(settings.maxPacketSize == 8192)
        #expect(settings.secret == nil)
        #expect(settings.lbfactor == 1)
        #expect(settings.activation == .active)
    }

    @Test func socketConnectTimeoutDefaultsToSocketTimeoutInMilliseconds() {
        #expect(ajp("socket_timeout=5")?.socketConnectTimeout == 5000)
        #expect(ajp("socket_timeout=5", "socket_connect_timeout=300")?.socketConnectTimeout == 300)
    }

    @Test func pingModeDerivesTheCPingTimeouts() throws {
        let all = try #require(ajp("ping_mode=A"))
        #expect(all.pingMode == .all)
        #expect(all.connectTimeout == 10000)
        #expect(all.prepostTimeout == 10000)
        #expect(all.connectionPingInterval == 100)
        let connect = try #require(ajp("ping_mode=C", "ping_timeout=3000", "connect_timeout=0"))
        #expect(connect.connectTimeout == 3000)
        #expect(connect.prepostTimeout == 0)
        #expect(connect.connectionPingInterval == 0)
        let explicit = try #require(ajp("ping_mode=PI", "prepost_timeout=500", "connection_ping_interval=7"))
        #expect(explicit.connectTimeout == 0)
        #expect(explicit.prepostTimeout == 500)
        #expect(explicit.connectionPingInterval == 7)
        #expect(ajp("connect_timeout=700")?.connectTimeout == 700)
    }

    @Test func connectionPoolSizesAndAliases() {
        #expect(ajp("connection_pool_size=10")?.connectionPoolMinSize == 5)
        #expect(ajp("connection_pool_size=9")?.connectionPoolMinSize == 5)
        #expect(ajp("connection_pool_size=10", "connection_pool_minsize=2")?.connectionPoolMinSize == 2)
        #expect(ajp("connection_pool_minsize=3")?.connectionPoolSize == nil)
        #expect(ajp("connection_pool_minsize=3")?.connectionPoolMinSize == 3)
        #expect(ajp("connection_pool_size=4", "cachesize=9")?.connectionPoolSize == 4)
        #expect(ajp("connection_pool_size=-1", "cachesize=9")?.connectionPoolSize == 9)
        #expect(ajp("connection_pool_size=-1")?.connectionPoolSize == nil)
        #expect(ajp("connection_pool_timeout=60", "cache_timeout=5")?.connectionPoolTimeout == 60)
    }

    @Test func retriesAcquireTimeoutAndBuffers() {
        #expect(ajp("retries=0")?.retries == 1)
        #expect(ajp("retries=0")?.connectionAcquireTimeout == 100)
        #expect(ajp("retries=3", "retry_interval=50")?.connectionAcquireTimeout == 150)
        #expect(ajp("retries=3", "connection_acquire_timeout=9")?.connectionAcquireTimeout == 9)
        #expect(ajp("socket_buffer=100")?.socketBuffer == 8192)
        #expect(ajp("socket_buffer=100", "max_packet_size=20000")?.socketBuffer == 20480)
        #expect(ajp("socket_buffer=65536")?.socketBuffer == 65536)
        #expect(ajp("socket_buffer=-3")?.socketBuffer == -3)
    }

    @Test func simpleAttributes() throws {
        let settings = try #require(ajp("host=10.0.0.2", "source=10.0.0.1", "prefer_ipv6=yes", "socket_keepalive=on",
                                        "reply_timeout=30000", "busy_limit=10", "recovery_options=7",
                                        "fail_on_status=500 503,-404", "secret=s3cret"))
        #expect(settings.host == "10.0.0.2")
        #expect(settings.source == "10.0.0.1")
        #expect(settings.preferIPv6)
        #expect(settings.socketKeepalive)
        #expect(settings.replyTimeout == 30000)
        #expect(settings.busyLimit == 10)
        #expect(settings.recoveryOptions == [.abortIfBackendReceivedRequest, .abortIfHeadersSent, .closeOnClientError])
        #expect(settings.failOnStatus == [500, 503, -404])
        #expect(settings.secret == "s3cret")
    }

    @Test func memberAttributes() throws {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb",
                                             "worker.lb.balance_workers=a b,c\td",
                                       "worker.a.route=dc1.node1", "worker.a.lbfactor=3", "worker.a.distance=2",
                                       "worker.b.route=dc1.node2", "worker.b.domain=explicit", "worker.b.redirect=x",
                                       "worker.c.activation=Disabled", "worker.d.activation=s", "worker.d.lbfactor=-4"))
        #expect(result.lb("lb")?.members == ["a", "b", "c", "d"])
        let a = try #require(result.ajp("a"))
        #expect(a.route == "dc1.node1")
        #expect(a.domain == "dc1")
        #expect(a.lbfactor == 3)
        #expect(a.distance == 2)
        let b = try #require(result.ajp("b"))
        #expect(b.domain == "explicit")
        #expect(b.redirect == "x")
        #expect(result.ajp("c")?.activation == .disabled)
        #expect(result.ajp("c")?.route == "c")
        #expect(result.ajp("c")?.domain == "")
        #expect(result.ajp("d")?.activation == .stopped)
        #expect(result.ajp("d")?.lbfactor == 1)
    }

    @Test func activationWinsOverDeprecatedStoppedAndDisabled() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b",
                                       "worker.a.activation=active", "worker.a.stopped=true",
                                       "worker.b.disabled=1", "worker.b.stopped=0"))
        #expect(result.ajp("a")?.activation == .active)
        #expect(result.ajp("b")?.activation == .disabled)
    }

    @Test func loadBalancerSettings() throws {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b",
                                       "worker.lb.sticky_session=false", "worker.lb.sticky_session_force=1",
                                       "worker.lb.method=B", "worker.lb.lock=Pessimistic", "worker.lb.retries=-1",
                                       "worker.lb.lb_retries=5", "worker.lb.retry_interval=250",
                                       "worker.lb.recover_time=0", "worker.lb.max_reply_timeouts=3",
                                       "worker.lb.session_cookie=MYSESSION", "worker.lb.session_path=;mysession",
                                       "worker.lb.set_session_cookie=true", "worker.lb.session_cookie_path=/app",
                                       "worker.a.max_packet_size=20000"))
        let lb = try #require(result.lb("lb"))
        #expect(!lb.stickySession)
        #expect(lb.stickySessionForce)
        #expect(lb.method == .busyness)
        #expect(lb.lock == .pessimistic)
        #expect(lb.retries == 1)
        #expect(lb.lbRetries == 5)
        #expect(lb.retryInterval == 250)
        #expect(lb.recoverTime == 1)
        #expect(lb.errorEscalationTime == 0)
        #expect(lb.maxReplyTimeouts == 3)
        #expect(lb.sessionCookie == "MYSESSION")
        #expect(lb.sessionPath == ";mysession")
        #expect(lb.setSessionCookie)
        #expect(lb.sessionCookiePath == "/app")
        #expect(lb.maxPacketSize == 20480)
        #expect(result.log.entries.isEmpty)
    }

    @Test func errorEscalationTimeDefaultsToHalfTheRecoverTime() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a",
                                       "worker.lb.recover_time=45"))
        #expect(result.lb("lb")?.errorEscalationTime == 22)
    }

    @Test func loadBalancerSecretIsInheritedByMembersWithoutTheirOwn() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b",
                                       "worker.lb.secret=shared", "worker.b.secret=own"))
        #expect(result.lb("lb")?.secret == "shared")
        #expect(result.ajp("a")?.secret == "shared")
        #expect(result.ajp("b")?.secret == "own")
        #expect(result.log.entries.isEmpty)
    }

    @Test func statusSettings() throws {
        let result = loadWorkers(workersText("worker.list=st,st2", "worker.st.type=status", "worker.st.css=/s.css",
                                       "worker.st.read_only=true", "worker.st.user=alice,bob",
                                       "worker.st.user_case_insensitive=yes", "worker.st.good=a.o", "worker.st.bad=e",
                                       "worker.st.prefix=jk", "worker.st.ns=-", "worker.st.xmlns=-none",
                                       "worker.st.doctype=<!DOCTYPE x>", "worker.st2.type=status",
                                       "worker.st2.ns=my:"))
        let st = try #require(result.status("st"))
        #expect(st.css == "/s.css")
        #expect(st.readOnly)
        #expect(st.users == ["alice", "bob"])
        #expect(st.userCaseInsensitive)
        #expect(st.good == ["a.o"])
        #expect(st.bad == ["e"])
        #expect(st.prefix == "jk")
        #expect(st.ns == "")
        #expect(st.xmlns == "")
        #expect(st.doctype == "<!DOCTYPE x>")
        let defaults = StatusWorkerSettings()
        #expect(defaults.good == ["a.o", "a.n", "a.b", "a.r"])
        #expect(defaults.bad == ["s", "e"])
        #expect(defaults.xmlns == "xmlns:jk=\"http://tomcat.apache.org\"")
        #expect(result.status("st2")?.ns == "my:")
    }
}
