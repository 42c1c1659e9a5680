import Testing
@testable import JKCore

/// Configuration warnings about load balancers that mod_jk never gave.
@Suite struct BalancerLintTests {
    private func lint(_ members: [String], lb configure: (inout LoadBalancerSettings) -> Void = { _ in },
                      member: (String, inout AJPWorkerSettings) -> Void = { _, _ in }) -> [ConfigDiagnostic.Code] {
        var settings = LoadBalancerSettings(members: members)
        configure(&settings)
        let workers = members.map { name -> AJPWorkerSettings in
            var worker = AJPWorkerSettings(workerName: name)
            member(name, &worker)
            if let dot = worker.route.firstIndex(of: "."), worker.domain.isEmpty {
                worker.domain = String(worker.route[..<dot])
            }
            return worker
        }
        var log = DiagnosticLog()
        BalancerLint.lint(settings: settings, members: workers, names: members,
                          location: SourceLocation(file: "workers.properties", line: 4), log: &log)
        #expect(log.entries.allSatisfy { $0.severity == .warning && $0.location?.line == 4 })
        return log.entries.map(\.code)
    }

    @Test func ordinaryConfigurationIsQuiet() {
        #expect(lint(["tomcat1", "tomcat2"], member: { name, settings in
            settings.route = name == "tomcat1" ? "node1" : "node2"
            if name == "tomcat1" { settings.redirect = "node2" }
        }).isEmpty)
    }

    @Test func routeWithSemicolonNeverMatches() {
        #expect(lint(["a", "b"], member: { name, settings in
            if name == "a" { settings.route = "n;1" }
        }) == [.routeNeverMatches])
    }

    @Test func routeWithCommaOrSlashIsPartlyUnreachable() {
        #expect(lint(["a", "b", "c"], member: { name, settings in
            if name == "a" { settings.route = "n,1" }
            if name == "b" { settings.route = "n/2" }
            if name == "c" { settings.route = "n?3" }
        }) == [.routePartlyUnreachable, .routePartlyUnreachable, .routePartlyUnreachable])
    }

    @Test func dotInRouteWarnsAboutTheImplicitDomain() {
        #expect(lint(["a", "b"], member: { name, settings in
            settings.route = name == "a" ? "dc1.n1" : "n2"
        }) == [.routeImpliesDomain])
        // A domain set to something else is explicit: no warning.
        #expect(lint(["a", "b"], member: { name, settings in
            settings.route = name == "a" ? "dc1.n1" : "n2"
            settings.domain = "group"
        }).isEmpty)
    }

    @Test func redirectMustBeARoute() {
        var log = DiagnosticLog()
        var a = AJPWorkerSettings(workerName: "a")
        a.route = "node1"
        a.redirect = "b"
        var b = AJPWorkerSettings(workerName: "b")
        b.route = "node2"
        BalancerLint.lint(settings: LoadBalancerSettings(members: ["a", "b"]), members: [a, b], names: ["a", "b"],
                          location: nil, log: &log)
        #expect(log.entries.map(\.code) == [.redirectNamesNoRoute])
        #expect(log.entries.first?.message.contains("redirect=node2") == true)
        #expect(lint(["a", "b"], member: { name, settings in
            if name == "a" { settings.redirect = "elsewhere" }
        }) == [.redirectNamesNoRoute])
    }

    @Test func redirectToItselfIsPointless() {
        #expect(lint(["a", "b"], member: { name, settings in
            if name == "a" { settings.redirect = "a" }
        }) == [.redirectToItself])
    }

    @Test func stickyOptionsWithoutStickySessions() {
        #expect(lint(["a", "b"], lb: { settings in
            settings.stickySession = false
            settings.stickySessionForce = true
            settings.setSessionCookie = true
        }) == [.stickyForceWithoutSticky, .sessionCookieNeverRead])
    }

    @Test func noActiveMember() {
        #expect(lint(["a", "b"], member: { name, settings in
            settings.activation = name == "a" ? .disabled : .stopped
        }) == [.noActiveMember])
    }

    @Test func lbfactorOverflow() {
        #expect(lint(["a", "b", "c"], member: { name, settings in
            settings.lbfactor = ["a": 2_147_483_647, "b": 1_162_261_467, "c": 1_073_741_824][name] ?? 1
        }) == [.lbfactorOverflow])
    }

    @Test func mismatchedListsAreCutToTheShorter() {
        var log = DiagnosticLog()
        BalancerLint.lint(settings: LoadBalancerSettings(members: ["a"]), members: [AJPWorkerSettings(workerName: "a")],
                          names: [], location: nil, log: &log)
        #expect(log.entries.isEmpty)
    }
}
