import Testing
@testable import JKCore

/// The workers.properties scenarios T01–T14 of reference §13.1 and the Appendix B configuration.
@Suite struct WorkersConfigurationTests {
    @Test func t01InlineComment() {
        let result = loadWorkers(workersText("worker.list=w1   # main", "worker.w1.port=28009 # node one",
                                       "worker.w1.host=127.0.0.1"))
        #expect(result.log.entries.isEmpty)
        #expect(result.configuration?.listed == ["w1"])
        #expect(result.ajp("w1")?.host == "127.0.0.1")
        #expect(result.ajp("w1")?.port == 28009)
        #expect(result.worker("w1")?.location == SourceLocation(file: "workers.properties", line: 1))
    }

    @Test func t02HashInsideAValue() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.secret=abc#def"))
        #expect(result.ajp("w1")?.secret == "abc")
        #expect(result.lines(.valueCutAtHash) == [2])
        #expect(result.errorCodes.isEmpty)
    }

    @Test func t02HashInsideAJkWorkerPropertyIsKept() {
        let result = loadWorkers(nil, directives: ["worker.list=w1", "worker.w1.secret=abc#def"])
        #expect(result.ajp("w1")?.secret == "abc#def")
        #expect(result.log.entries.isEmpty)
    }

    static let appendixB = workersText(
        "worker.list=lb,jkstatus   # the balancer and status",
        "worker.lb.type=lb",
        "worker.lb.balance_workers=tomcat1,tomcat2",
        "worker.tomcat1.type=ajp13",
        "worker.tomcat1.host=127.0.0.1",
        "worker.tomcat1.port=28009   # node one",
        "worker.tomcat1.lbfactor=1",
        "worker.tomcat1.method=Session    # lb-only attr on member",
        "worker.tomcat1.sticky_session=True  # lb-only attr on member",
        "worker.tomcat1.route=node1",
        "worker.tomcat2.type=ajp13",
        "worker.tomcat2.host=127.0.0.1",
        "worker.tomcat2.port=28010   # node two",
        "worker.tomcat2.lbfactor=1",
        "worker.tomcat2.method=Session    # lb-only attr on member",
        "worker.tomcat2.sticky_session=True  # lb-only attr on member",
        "worker.tomcat2.route=node2",
        "worker.jkstatus.type=status")

    @Test func t03AppendixBTwoTomcatConfiguration() throws {
        let result = loadWorkers(Self.appendixB)
        let configuration = try #require(result.configuration)
        #expect(configuration.listed == ["lb", "jkstatus"])
        #expect(configuration.workers.map(\.name) == ["lb", "tomcat1", "tomcat2", "jkstatus"])
        let lb = try #require(result.lb("lb"))
        #expect(lb.members == ["tomcat1", "tomcat2"])
        #expect(lb.method == .request)
        #expect(lb.stickySession)
        #expect(!lb.stickySessionForce)
        #expect(lb.lock == .optimistic)
        #expect(lb.retries == 2)
        #expect(lb.lbRetries == 2)
        #expect(lb.recoverTime == 60)
        #expect(lb.errorEscalationTime == 30)
        #expect(lb.sessionCookie == "JSESSIONID")
        #expect(lb.sessionPath == ";jsessionid")
        #expect(lb.sessionCookiePath == "/")
        #expect(result.ajp("tomcat1")?.route == "node1")
        #expect(result.ajp("tomcat2")?.route == "node2")
        #expect(result.ajp("tomcat1")?.port == 28009)
        #expect(result.ajp("tomcat2")?.port == 28010)
        #expect(result.ajp("tomcat1")?.lbfactor == 1)
        #expect(result.status("jkstatus") == StatusWorkerSettings())
        #expect(result.errorCodes.isEmpty)
        #expect(result.warningCodes == Array(repeating: .loadBalancerAttributeOnAJP13, count: 4))
        #expect(result.lines(.loadBalancerAttributeOnAJP13) == [8, 9, 15, 16])
        let first = try #require(result.entries(.loadBalancerAttributeOnAJP13).first)
        #expect(first.message == "worker.tomcat1.method has no effect on ajp13 worker tomcat1;"
            + " did you mean worker.lb.method?")
        #expect(first.description.hasPrefix("workers.properties:8: "))
    }

    @Test func t04UnknownAttributeStopsStartup() throws {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.colour=blue"))
        #expect(result.configuration == nil)
        #expect(result.errorCodes == [.unknownAttribute])
        let error = try #require(result.entries(.unknownAttribute).first)
        #expect(error.location == SourceLocation(file: "workers.properties", line: 2))
        #expect(error.message.hasPrefix("unknown attribute 'colour' in 'worker.w1.colour'"))
        #expect(error.message.contains("Known attributes are type, host, port"))
    }

    @Test func t05NoLineContinuation() throws {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb",
                                             "worker.lb.balance_workers=tomcat1,\\",
                                       "  tomcat2"))
        let lb = try #require(result.lb("lb"))
        #expect(lb.members == ["tomcat1", "\\"])
        #expect(result.ajp("\\")?.host == "localhost")
        #expect(result.ajp("\\")?.port == 8009)
        #expect(result.worker("tomcat2") == nil)
        #expect(result.lines(.backslashIsNotContinuation) == [3])
    }

    @Test func t06RepeatedWorkerList() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=m1",
                                       "worker.list=w1"))
        #expect(result.configuration?.listed == ["lb", "w1"])
        #expect(result.configuration?.workers.map(\.name) == ["lb", "m1", "w1"])
        #expect(result.worker("w1")?.location?.line == 4)
        #expect(result.log.entries.isEmpty)
    }

    @Test func t07DuplicateUniqueKey() throws {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.port=1111", "worker.w1.port=28009"))
        #expect(result.ajp("w1")?.port == 28009)
        #expect(result.lines(.duplicateKey) == [3])
        let warning = try #require(result.entries(.duplicateKey).first)
        #expect(warning.message.contains("workers.properties:2"))
        #expect(warning.message.contains("'1111'"))
    }

    @Test func t08DuplicateNonUniqueKeysJoinWithStar() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=d1",
                                       "worker.d1.distance=1", "worker.d1.distance=2",
                                       "worker.maintain=30", "worker.maintain=45"))
        #expect(result.ajp("d1")?.distance == 1)
        #expect(result.configuration?.maintainInterval == 30)
        #expect(result.lines(.duplicateKeyJoined) == [5, 7])
        #expect(result.entries(.duplicateKeyJoined).first?.message.contains("'1*2'") == true)
        #expect(result.lines(.invalidInteger) == [5, 7])
    }

    @Test func t09Variables() {
        let result = loadWorkers(workersText("myport=28009", "worker.list=w1,w2", "worker.w1.port=$(myport)",
                                       "worker.w1.host=$(HOME)", "worker.w1.secret=$(undefined_x)",
                                       "worker.w2.secret=$(later)", "later=defined-too-late"),
                                 environment: ["HOME": "home.example"])
        #expect(result.ajp("w1")?.port == 28009)
        #expect(result.ajp("w1")?.host == "home.example")
        #expect(result.ajp("w1")?.secret == "$(undefined_x)")
        #expect(result.ajp("w2")?.secret == "$(later)")
        #expect(result.lines(.unresolvedVariable) == [5, 6])
    }

    @Test(arguments: [
        ("True", true), ("TRUE", true), ("yes", true), ("yes-please", true), ("on", true), ("1", true),
        ("False", false), ("no", false), ("off", false), ("0", false), ("2", true), ("maybe", true),
    ])
    func t10Booleans(value: String, sticky: Bool) {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=m1",
                                       "worker.lb.sticky_session=\(value)"))
        #expect(result.lb("lb")?.stickySession == sticky)
        #expect(result.lines(.invalidBoolean) == (["2", "maybe"].contains(value) ? [4] : []))
    }

    @Test func t11Integers() {
        let result = loadWorkers(workersText("worker.list=lb,p1,p2,p3,p4", "worker.lb.type=lb",
                                       "worker.lb.balance_workers=m1", "worker.m1.lbfactor=abc",
                                       "worker.p1.max_packet_size=9000", "worker.p2.max_packet_size=100000",
                                       "worker.p3.max_packet_size=4096", "worker.p4.max_packet_size=16k"))
        #expect(result.ajp("m1")?.lbfactor == 1)
        #expect(result.lines(.invalidInteger) == [4])
        #expect(result.ajp("p1")?.maxPacketSize == 9216)
        #expect(result.ajp("p2")?.maxPacketSize == 65536)
        #expect(result.ajp("p3")?.maxPacketSize == 8192)
        #expect(result.ajp("p4")?.maxPacketSize == 16384)
    }

    @Test func t12EmptyValueIsIgnored() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.host="))
        #expect(result.ajp("w1")?.host == "localhost")
        #expect(result.log.entries.isEmpty)
    }

    @Test func t13NoWorkersFileMeansImplicitAJP13() throws {
        var log = DiagnosticLog()
        let configuration = try #require(WorkersConfiguration.load(sources: [], serverRoot: "/srv",
                                                                   environment: { _ in nil }, log: &log))
        #expect(log.entries.isEmpty)
        #expect(configuration.listed == ["ajp13"])
        #expect(configuration.workers.count == 1)
        #expect(configuration.workers.first?.location == nil)
        #expect(configuration.workers.first?.kind == .ajp13(AJPWorkerSettings(workerName: "ajp13")))
        #expect(configuration.maintainInterval == 60)
        #expect(configuration.mounts.isEmpty)
        #expect(configuration.index(ofWorker: "ajp13") == 0)
    }

    @Test func t14Reference() {
        let result = loadWorkers(workersText("worker.list=r1,r3", "worker.tpl.host=127.0.0.1", "worker.tpl.port=28009",
                                       "worker.r1.reference=worker.tpl", "worker.r3.reference=worker.tpl",
                                       "worker.r3.port=28010"))
        #expect(result.ajp("r1")?.host == "127.0.0.1")
        #expect(result.ajp("r1")?.port == 28009)
        #expect(result.ajp("r3")?.host == "127.0.0.1")
        #expect(result.ajp("r3")?.port == 28010)
        #expect(result.log.entries.isEmpty)
    }

    @Test func t14ReferenceToNothingStopsStartup() {
        let result = loadWorkers(workersText("worker.list=x", "worker.x.reference=worker.nothing"))
        #expect(result.configuration == nil)
        #expect(result.errorCodes == [.referenceNotFound])
        #expect(result.lines(.referenceNotFound) == [2])
    }
}
