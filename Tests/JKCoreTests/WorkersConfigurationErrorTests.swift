import Testing
@testable import JKCore

/// One test per startup error of reference §7.7: the configuration is refused, the code is right and
/// the location names the line to fix.
@Suite struct WorkersConfigurationErrorTests {
    private func expectError(_ result: WorkersLoadResult, _ code: ConfigDiagnostic.Code, line: Int,
                             file: String = "workers.properties",
                             sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(result.configuration == nil, sourceLocation: sourceLocation)
        #expect(result.errorCodes == [code], sourceLocation: sourceLocation)
        #expect(result.entries(code).first?.location == JKCore.SourceLocation(file: file, line: line),
                sourceLocation: sourceLocation)
    }

    @Test func unknownAttribute() {
        expectError(loadWorkers(workersText("worker.list=w1", "worker.w1.prot=8009")), .unknownAttribute, line: 2)
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.prot=8009"))
        #expect(result.entries(.unknownAttribute).first?.message.contains("did you mean 'port'?") == true)
    }

    @Test func unknownAttributeInAJkWorkerProperty() {
        let result = loadWorkers(nil, directives: ["worker.list=w1", "worker.w1.colour=blue"])
        expectError(result, .unknownAttribute, line: 11, file: "httpd.conf")
    }

    @Test func attributeNamesAreCaseSensitive() {
        expectError(loadWorkers(workersText("worker.list=w1", "worker.w1.Port=8009")), .unknownAttribute, line: 2)
    }

    @Test func keysOutsideWorkerAreVariables() {
        let result = loadWorkers(workersText("colour=blue", "Worker.w1.colour=x", "worker.list=w1"))
        #expect(result.configuration != nil)
        #expect(result.log.entries.isEmpty)
    }

    @Test func healthCheckURIMustBeAPath() {
        let lb = ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a", "worker.a.port=8009"]
        expectError(loadWorkers((lb + ["worker.lb.health_check_uri=health.jsp"]).joined(separator: "\n")),
                    .invalidHealthCheckURI, line: 5)
        expectError(loadWorkers((lb + ["worker.lb.health_check_status=20x"]).joined(separator: "\n")),
                    .invalidHealthCheckStatus, line: 5)
        let good = loadWorkers((lb + ["worker.lb.health_check_uri=/health.jsp?deep=1",
                                                 "worker.lb.health_check_status=204",
                                                 "worker.lb.health_check_healthy=true", "worker.lb.slow_start=30"]).joined(separator: "\n"))
        #expect(good.configuration != nil)
        #expect(good.errorCodes.isEmpty)
    }

    @Test func unknownWorkerType() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.type=AJP13"))
        expectError(result, .unknownWorkerType, line: 2)
        #expect(result.entries(.unknownWorkerType).first?.message.contains("write 'ajp13'") == true)
        expectError(loadWorkers(workersText("worker.list=w1", "worker.w1.type=tomcat")), .unknownWorkerType, line: 2)
    }

    /// Types of old configurations load with a warning (the worker answers 503), so Apache starts.
    @Test(arguments: ["ajp12", "ajp14", "jni"])
    func unservedWorkerTypeIsAWarning(type: String) {
        let result = loadWorkers(workersText("worker.list=w1", "", "worker.w1.type=\(type)"))
        #expect(result.errorCodes.isEmpty)
        #expect(result.warningCodes == [.unsupportedWorkerType])
        let entry = result.entries(.unsupportedWorkerType).first
        #expect(entry?.message.contains("Use type=ajp13") == true)
        #expect(entry?.location?.line == 3)
        #expect(result.configuration?.workers.first?.kind == .unsupported(type: type))
    }

    @Test func loadBalancerWithoutMembers() {
        expectError(loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb")), .loadBalancerWithoutMembers,
                    line: 2)
        expectError(loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=,")),
                    .loadBalancerWithoutMembers, line: 2)
    }

    @Test func memberThatIsNotAJP13() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=s,m",
                                       "worker.s.type=status"))
        expectError(result, .memberNotAJP13, line: 4)
        expectError(loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=lb")),
                    .memberNotAJP13, line: 2)
    }

    @Test func twoMembersWithTheSameRoute() throws {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b",
                                       "worker.a.route=node1", "worker.b.route=node1"))
        expectError(result, .duplicateRoute, line: 5)
        let message = try #require(result.entries(.duplicateRoute).first?.message)
        #expect(message.contains("'a' and 'b'"))
        #expect(message.contains("'node1'"))
    }

    @Test func routeOfOneMemberEqualsTheNameOfAnother() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b",
                                       "worker.b.route=a"))
        expectError(result, .duplicateRoute, line: 4)
    }

    @Test func memberListedTwiceSharesItsRoute() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,a"))
        expectError(result, .duplicateRoute, line: 3)
    }

    @Test func namesUpTo63BytesAreAccepted() {
        let name = String(repeating: "n", count: 63)
        let host = String(repeating: "h", count: 63)
        let result = loadWorkers(workersText("worker.list=\(name)", "worker.\(name).host=\(host)"))
        #expect(result.configuration != nil)
    }

    @Test func workerNameLongerThan63Bytes() {
        let name = String(repeating: "n", count: 64)
        expectError(loadWorkers(workersText("", "worker.list=\(name)")), .valueTooLong, line: 2)
    }

    @Test func memberNameLongerThan63Bytes() {
        let name = String(repeating: "m", count: 64)
        expectError(loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb",
                                            "worker.lb.balance_workers=\(name)")),
                    .valueTooLong, line: 3)
    }

    @Test(arguments: ["host", "source"])
    func connectionValueLongerThan63Bytes(attribute: String) {
        let long = String(repeating: "x", count: 64)
        expectError(loadWorkers(workersText("worker.list=w1", "worker.w1.\(attribute)=\(long)")), .valueTooLong,
                    line: 2)
    }

    @Test(arguments: ["route", "jvm_route", "domain", "redirect"])
    func memberValueLongerThan63Bytes(attribute: String) {
        let long = String(repeating: "r", count: 64)
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=m",
                                       "worker.m.\(attribute)=\(long)"))
        expectError(result, .valueTooLong, line: 4)
    }

    @Test(arguments: ["session_cookie", "session_path", "session_cookie_path"])
    func sessionValueLongerThan63Bytes(attribute: String) {
        let long = String(repeating: "c", count: 64)
        let result = loadWorkers(workersText("worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=m",
                                       "worker.lb.\(attribute)=\(long)"))
        expectError(result, .valueTooLong, line: 4)
    }

    @Test func referenceCycle() throws {
        let result = loadWorkers(workersText("worker.list=x", "worker.x.reference=worker.a",
                                             "worker.a.reference=worker.b",
                                       "worker.b.reference=worker.a", "worker.a.port=1", "worker.b.port=2"))
        expectError(result, .referenceTooDeep, line: 2)
        #expect(try #require(result.entries(.referenceTooDeep).first).message.contains("cycle"))
    }

    @Test func referenceChainsDeeperThanTheLimit() {
        func chain(_ length: Int) -> String {
            var text = ["worker.list=w", "worker.w.reference=worker.t1"]
            for index in 1..<length { text.append("worker.t\(index).reference=worker.t\(index + 1)") }
            text.append("worker.t\(length).port=28009")
            return text.joined(separator: "\n")
        }
        // The top-level scan is depth 1, so 19 nested references resolve and 20 do not.
        let accepted = loadWorkers(chain(19))
        #expect(accepted.ajp("w")?.port == 28009)
        expectError(loadWorkers(chain(20)), .referenceTooDeep, line: 2)
    }

    @Test func referenceIntoItsOwnPrefix() {
        expectError(loadWorkers(workersText("worker.list=a.b", "worker.a.port=1", "worker.a.b.reference=worker.a")),
                    .referenceIntoItself, line: 3)
    }

    @Test func emptyWorkerList() {
        expectError(loadWorkers(workersText("worker.list= , ,")), .emptyWorkerList, line: 1)
    }

    @Test func jkWorkerPropertyLongerThan8192Bytes() {
        let result = loadWorkers(nil, directives: ["worker.w1.secret=" + String(repeating: "s", count: 8200)])
        expectError(result, .lineTooLong, line: 10, file: "httpd.conf")
    }

    @Test func reportsEveryErrorInOneRun() {
        let result = loadWorkers(workersText("worker.list=w1,w2,lb", "worker.w1.colour=blue", "worker.w2.type=tomcat",
                                       "worker.lb.type=lb"))
        #expect(result.configuration == nil)
        #expect(result.errorCodes == [.unknownAttribute, .unknownWorkerType, .loadBalancerWithoutMembers])
        #expect(result.log.entries.filter { $0.severity == .error }.map { $0.location?.line ?? 0 } == [2, 3, 4])
    }

    @Test func earlierLogEntriesDoNotFailTheLoad() {
        var log = DiagnosticLog()
        log.error(.init("other-area"), "not about workers")
        let configuration = WorkersConfiguration.load(sources: [], serverRoot: "/", environment: { _ in nil },
                                                      log: &log)
        #expect(configuration != nil)
        #expect(log.entries.count == 1)
    }
}
