import Testing
@testable import JKCore

/// Source order, substitution, mounts and the shape of the model (reference §6.1, §6.3, §6.6, §5.1).
@Suite struct WorkersConfigurationLoadingTests {
    @Test func directivesAreReadBeforeTheFileWhateverTheirPosition() throws {
        var log = DiagnosticLog()
        let sources: [PropertySource] = [
            .workersFile(workersText("worker.list=w1", "worker.w1.port=$(base)1"), file: "workers.properties"),
            .directive("base=2800", file: "httpd.conf", line: 7),
        ]
        let configuration = try #require(WorkersConfiguration.load(sources: sources, serverRoot: "/",
                                                                   environment: { _ in nil }, log: &log))
        #expect(configuration.workers.first?.kind == .ajp13({
            var settings = AJPWorkerSettings(workerName: "w1")
            settings.port = 28001
            return settings
        }()))
        #expect(log.entries.isEmpty)
    }

    @Test func theFileOverridesADirectiveWithAWarning() throws {
        let result = loadWorkers(workersText("worker.w1.port=28010"), directives: ["worker.list=w1",
                                 "worker.w1.port=28009"])
        #expect(result.ajp("w1")?.port == 28010)
        let warning = try #require(result.entries(.duplicateKey).first)
        #expect(warning.location == SourceLocation(file: "workers.properties", line: 1))
        #expect(warning.message.contains("httpd.conf:11"))
    }

    @Test func serverRootIsAPropertyBetweenDirectivesAndFile() {
        let result = loadWorkers(workersText("worker.list=w1", "worker.w1.secret=$(ServerRoot)/x"),
                                 directives: ["worker.w1.host=$(ServerRoot)"], serverRoot: "/srv/httpd")
        #expect(result.ajp("w1")?.secret == "/srv/httpd/x")
        #expect(result.ajp("w1")?.host == "$(ServerRoot)")
        #expect(result.lines(.unresolvedVariable) == [10])
    }

    @Test func propertiesWinOverTheEnvironmentAndSubstitutionIsNotRecursive() {
        let result = loadWorkers(workersText("HOME=/prop", "inner=$(HOME)", "loop=$(loop)", "worker.list=w1",
                                       "worker.w1.secret=$(HOME)|$(inner)|$(loop)", "worker.w1.route=$(NESTED)"),
                                 environment: ["HOME": "/env", "NESTED": "$(HOME)"])
        #expect(result.ajp("w1")?.secret == "/prop|/prop|$(loop)")
        #expect(result.ajp("w1")?.route == "$(HOME)")
    }

    @Test func atMost21SubstitutionsPerValue() {
        let value = String(repeating: "$(v)", count: 23)
        let result = loadWorkers(workersText("v=x", "worker.list=w1", "worker.w1.secret=\(value)"))
        #expect(result.ajp("w1")?.secret == String(repeating: "x", count: 21) + "$(v)$(v)")
        #expect(result.lines(.unresolvedVariable) == [3])
    }

    @Test func referencesCopyOnlyWhatIsMissingAndNest() {
        let result = loadWorkers(workersText("worker.list=lb", "worker.base.host=10.0.0.9", "worker.base.ping_mode=A",
                                       "worker.node.reference=worker.base", "worker.node.port=28009",
                                       "worker.lb.type=lb", "worker.lb.balance_workers=m1,m2",
                                       "worker.m1.reference=worker.node", "worker.m2.reference=worker.node",
                                       "worker.m2.port=28010", "worker.m2.route=second"))
        #expect(result.ajp("m1")?.host == "10.0.0.9")
        #expect(result.ajp("m1")?.port == 28009)
        #expect(result.ajp("m1")?.pingMode == .all)
        #expect(result.ajp("m2")?.port == 28010)
        #expect(result.ajp("m2")?.route == "second")
        #expect(result.ajp("m1")?.route == "m1")
        #expect(result.log.entries.isEmpty)
    }

    @Test func referenceValueIsAPlainPrefix() {
        let result = loadWorkers(workersText("tpl.port=28011", "worker.list=w1", "worker.w1.reference=tpl"))
        #expect(result.ajp("w1")?.port == 28011)
    }

    @Test func workerNamesMayContainDots() {
        let result = loadWorkers(workersText("worker.list=app.one", "worker.app.one.port=28009"))
        #expect(result.ajp("app.one")?.port == 28009)
        #expect(result.log.entries.isEmpty)
    }

    @Test func mountsOfListedWorkersWithTheirLines() {
        let result = loadWorkers(workersText("worker.list=w1,lb", "worker.w1.mount=/a/* /b", "worker.lb.type=lb",
                                       "worker.lb.balance_workers=m", "worker.lb.mount=/lb/*", "worker.w1.mount=/c"))
        #expect(result.configuration?.mounts == [
            WorkerMountProperty(pattern: "/a/*", worker: "w1", location: .init(file: "workers.properties", line: 2)),
            WorkerMountProperty(pattern: "/b", worker: "w1", location: .init(file: "workers.properties", line: 2)),
            WorkerMountProperty(pattern: "/c", worker: "w1", location: .init(file: "workers.properties", line: 6)),
            WorkerMountProperty(pattern: "/lb/*", worker: "lb", location: .init(file: "workers.properties", line: 5)),
        ])
    }

    @Test func creationOrderAndOneDefinitionPerName() throws {
        let result = loadWorkers(workersText("worker.list=a,lb1,lb2,jk", "worker.lb1.type=lb",
                                       "worker.lb1.balance_workers=m1,a", "worker.lb2.type=lb",
                                       "worker.lb2.balance_workers=m2,m1", "worker.jk.type=status"))
        let configuration = try #require(result.configuration)
        #expect(configuration.workers.map(\.name) == ["a", "lb1", "m1", "lb2", "m2", "jk"])
        #expect(configuration.workers.map(\.kind.typeName) == ["ajp13", "lb", "ajp13", "lb", "ajp13", "status"])
        #expect(configuration.listed == ["a", "lb1", "lb2", "jk"])
        #expect(configuration.index(ofWorker: "m2") == 4)
        #expect(configuration.index(ofWorker: "M2") == nil)
        #expect(configuration.workers.map { $0.location?.line ?? 0 } == [1, 1, 3, 1, 5, 1])
    }

    @Test func maintainInterval() {
        #expect(loadWorkers(workersText("worker.maintain=15")).configuration?.maintainInterval == 15)
        #expect(loadWorkers(workersText("worker.maintain=-5")).configuration?.maintainInterval == 0)
        #expect(loadWorkers(workersText("worker.maintain=1m")).configuration?.maintainInterval == 1_048_576)
    }

    @Test func crlfFilesAndWindowsComments() {
        let result = loadWorkers("worker.list=w1\r\nworker.w1.port=28009\r\n# comment\r\n")
        #expect(result.ajp("w1")?.port == 28009)
        #expect(result.log.entries.isEmpty)
    }
}
