import Testing
@testable import JKCore

/// §9.5.2–9.5.3: from session routes to members (T47, T56, T57, T61), domains, redirects,
/// sticky_session_force and the one-member special case.
@Suite struct RouteResolverTests {
    /// tomcat1/tomcat2 with routes node1/node2, as in T47.
    private func tomcats(_ configure: (inout LoadBalancerSettings) -> Void = { _ in }) -> BalancerFixture {
        BalancerFixture(["tomcat1:node1", "tomcat2:node2"], lb: configure)
    }

    /// Where a request with these cookies goes: "tomcat2 sticky", or "balanced" when not by session.
    private func destination(_ cookies: [String], uri: String = "/app/x", route: String? = nil,
                             fixture: inout BalancerFixture) -> String {
        let bytes = RequestBytes()
        let request = bytes.request(fixture.topology, uri: uri, cookies: cookies, route: route)
        let trace = fixture.serve(request)
        return withExtendedLifetime(bytes) {
            guard let attempt = trace.attempts.first else { return "nothing" }
            return attempt.viaSession ? "\(fixture.names[attempt.member]) sticky" : "balanced"
        }
    }

    @Test func t47CookieStickinessToTheRouteEveryTime() {
        var fixture = tomcats()
        for _ in 0..<4 { #expect(destination(["JSESSIONID=ABC.node2"], fixture: &fixture) == "tomcat2 sticky") }
    }

    @Test(arguments: [
        ("JSESSIONID=\"ABC.node2\"", "tomcat2 sticky"),
        ("JSESSIONID=ABC.nodeX; JSESSIONID=DEF.node2", "tomcat2 sticky"),
        ("a=1,JSESSIONID=ABC.node1", "tomcat1 sticky"),
        ("JSESSIONID = ABC.node1", "tomcat1 sticky"),
        ("jsessionid=ABC.node2", "balanced"),
        ("XJSESSIONID=ABC.node1", "balanced"),
        ("JSESSIONID=ABC.tomcat2", "balanced"),
        ("JSESSIONID=ABC.node2.extra", "balanced"),
        ("JSESSIONID=node1", "balanced"),
        ("JSESSIONID=.node1", "tomcat1 sticky"),
        ("JSESSIONID=;x=1", "balanced"),
    ])
    func t47CookieForms(cookie: String, expected: String) {
        var fixture = tomcats()
        #expect(destination([cookie], fixture: &fixture) == expected)
    }

    @Test func t48PathParameterWinsOverCookie() {
        var fixture = tomcats()
        #expect(destination(["JSESSIONID=ABC.node2"], uri: "/app/x;jsessionid=XYZ.node1", fixture: &fixture)
            == "tomcat1 sticky")
    }

    @Test func t49EnvironmentRouteAlwaysReachesThatMember() {
        var fixture = tomcats()
        for _ in 0..<3 {
            #expect(destination([], uri: "/app/force2", route: "node2", fixture: &fixture) == "tomcat2 sticky")
        }
    }

    @Test func t50StickyIgnoreBalancesDespiteTheCookie() {
        var fixture = tomcats()
        let bytes = RequestBytes()
        let request = bytes.request(fixture.topology, cookies: ["JSESSIONID=.node2"],
                                    extensions: RuleExtensions(stickyIgnore: true))
        #expect(request.sessionID == nil)
        #expect(fixture.schedule(4, request) == ["tomcat1", "tomcat2", "tomcat1", "tomcat2"])
        withExtendedLifetime(bytes) {}
    }

    @Test func stickySessionOffIgnoresTheCookie() {
        var fixture = tomcats { $0.stickySession = false }
        #expect(destination(["JSESSIONID=A.node2"], fixture: &fixture) == "balanced")
    }

    @Test func exactRouteIsFoundByBytes() {
        let fixture = tomcats()
        let bytes = RequestBytes()
        #expect(fixture.topology.member(withRoute: bytes.view("node2")) == 1)
        #expect(fixture.topology.member(withRoute: bytes.view("Node2")) == nil)
        #expect(fixture.topology.member(withRoute: bytes.view("tomcat2")) == nil)
        #expect(fixture.topology.member(withRoute: bytes.view("")) == nil)
    }

    /// Past `RouteIndex.scanLimit` members the route is hashed; the answer must stay the scan's:
    /// the first member with that exact route.
    @Test func largeFarmFindsTheFirstMemberWithTheRouteLikeTheScan() {
        // 40 members; member 30 repeats member 7's route, member 35 repeats member 30's.
        var specs = (0..<40).map { "w\($0):node\($0)" }
        specs[30] = "w30:node7"
        specs[35] = "w35:node7"
        let fixture = BalancerFixture(specs)
        let bytes = RequestBytes()
        let routes = specs.map { String($0.split(separator: ":")[1]) }
        for probe in routes + ["node40", "Node1", "node", "node10x", "", "nodes1"] {
            let scan = routes.firstIndex(of: probe)
            #expect(fixture.topology.member(withRoute: bytes.view(probe)) == scan, "route \(probe)")
        }
        #expect(fixture.topology.member(withRoute: bytes.view("node7")) == 7)
        #expect(fixture.topology.member(withRoute: bytes.view("node30")) == nil)
    }

    @Test func t56DisabledMemberStillServesItsOwnSessions() {
        var fixture = BalancerFixture(["a1", "a2"], member: { name, settings in
            if name == "a2" { settings.activation = .disabled }
        })
        #expect(fixture.schedule(6) == Array(repeating: "a1", count: 6))
        for _ in 0..<3 {
            let trace = fixture.serve(BalancerRequest(sessionID: session(".a2")))
            #expect(trace.tried == ["a2"])
            #expect(trace.attempts.first?.viaSession == true)
            #expect(trace.attempts.first?.activation.attributeText.description == "DIS")
        }
    }

    @Test func stoppedMemberLosesItsSessions() {
        var fixture = BalancerFixture(["a1", "a2"])
        fixture.setActivation("a2", .stopped)
        let trace = fixture.serve(BalancerRequest(sessionID: session("X.a2")))
        #expect(trace.tried == ["a1"])
        #expect(trace.attempts.first?.viaSession == false)
    }

    @Test func t57HotStandbyViaRedirect() {
        var fixture = BalancerFixture(["h1", "h2"], member: { name, settings in
            if name == "h1" { settings.redirect = "h2" }
            if name == "h2" { settings.activation = .disabled }
        })
        let first = fixture.serve(reply: { $0 == "h1" ? .refused : .ok })
        #expect(first.tried == ["h1", "h2"])
        #expect(fixture.state("h1") == .error)
        for _ in 0..<3 {
            let trace = fixture.serve(reply: { $0 == "h1" ? .refused : .ok })
            #expect(trace.tried == ["h2"])
            #expect(trace.attempts.first?.viaSession == false)
            #expect(trace.routes.first == "h2")
        }
    }

    @Test func sessionOfAnUnusableMemberFollowsItsRedirect() {
        let fixture = BalancerFixture(["m1:r1", "m2:r2", "m3:r3"], member: { name, settings in
            if name == "m1" { settings.redirect = "r3" }
        })
        fixture.setState("m1", .error)
        fixture.withView { view in
            var note = RouteResolver.RouteNote.memberRoute(1)
            let bytes = RequestBytes()
            let resolution = RouteResolver.resolve(route: bytes.view("r1"), view: view, note: &note)
            #expect(resolution == .init(member: 2, sticky: false))
            // mod_jk resets s->route so that the substitute's own route is used.
            #expect(note == .unset)
        }
    }

    @Test func redirectToAnUnusableMemberGivesNothing() {
        let fixture = BalancerFixture(["m1:r1", "m2:r2"], member: { name, settings in
            if name == "m1" { settings.redirect = "r2" }
        })
        fixture.setState("m1", .error)
        fixture.setActivation("m2", .stopped)
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            let bytes = RequestBytes()
            #expect(RouteResolver.resolve(route: bytes.view("r1"), view: view, note: &note).member == nil)
        }
    }

    @Test func redirectNamingNoRouteGivesNothing() {
        let fixture = BalancerFixture(["m1:r1", "m2:r2"], member: { name, settings in
            if name == "m1" { settings.redirect = "m2" }
        })
        #expect(fixture.topology.members[0].hasRedirect)
        #expect(fixture.topology.members[0].redirectTarget == nil)
        fixture.setState("m1", .error)
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            let bytes = RequestBytes()
            #expect(RouteResolver.resolve(route: bytes.view("r1"), view: view, note: &note).member == nil)
        }
    }

    @Test func t61DomainFailoverStaysInTheDomain() {
        var fixture = BalancerFixture(["m1:dc1.n1", "m2:dc1.n2", "m3:dc2.n3"])
        fixture.setState("m1", .error)
        for _ in 0..<4 {
            let trace = fixture.serve(BalancerRequest(sessionID: session(".dc1.n1")))
            #expect(trace.tried == ["m2"])
            #expect(trace.attempts.first?.viaSession == false)
            #expect(trace.routes.first == "dc1")
        }
        #expect(fixture.state("m3") == .idle)
    }

    @Test func domainRoutePicksLowestDistanceThenLowestValue() {
        let fixture = BalancerFixture(["m1:dc1.n1", "m2:dc1.n2", "m3:dc1.n3", "m4:dc2.n4"])
        fixture.member("m1").pointee.distance = 1
        fixture.member("m1").pointee.lb_value = 0
        fixture.member("m2").pointee.lb_value = 7
        fixture.member("m3").pointee.lb_value = 5
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            let bytes = RequestBytes()
            let resolution = RouteResolver.resolve(route: bytes.view("dc1"), view: view, note: &note)
            #expect(resolution == .init(member: 2, sticky: false))
            #expect(note == .memberDomain(2))
            // The domain is the route up to its first '.'.
            #expect(RouteResolver.bestMember(inDomainOf: bytes.view("dc1.unknown.x"), view: view) == 2)
            #expect(RouteResolver.bestMember(inDomainOf: bytes.view("dc3"), view: view) == nil)
        }
    }

    @Test func domainSearchSkipsMembersThatCannotTakeNewRequests() {
        let fixture = BalancerFixture(["m1:dc1.n1", "m2:dc1.n2"])
        fixture.setActivation("m2", .disabled)
        fixture.member("m1").pointee.lb_value = 9
        fixture.withView { view in
            let bytes = RequestBytes()
            #expect(RouteResolver.bestMember(inDomainOf: bytes.view("dc1"), view: view) == 0)
        }
    }

    @Test func stickySessionForceDropsTheCandidate() {
        let fixture = BalancerFixture(["m1:dc1.n1", "m2:dc1.n2"], lb: { $0.stickySessionForce = true })
        fixture.setState("m1", .error)
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            let bytes = RequestBytes()
            #expect(RouteResolver.resolve(route: bytes.view("dc1.n1"), view: view, note: &note).member == nil)
        }
    }

    @Test func laterCandidateWinsWhenTheFirstYieldsNothing() {
        let fixture = BalancerFixture(["m1:n1", "m2:n2"])
        fixture.setState("m1", .busy)
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            let resolution = RouteResolver.resolve(session: session("A.n1;B.nX;C.n2"), view: view, note: &note)
            #expect(resolution == .init(member: 1, sticky: true))
        }
    }

    @Test func oneMemberIsAlwaysChosenIgnoringSessions() {
        var fixture = BalancerFixture(["only:r1"])
        let trace = fixture.serve(BalancerRequest(sessionID: session("A.other")))
        #expect(trace.tried == ["only"])
        #expect(trace.attempts.first?.viaSession == true)
    }

    @Test func oneUnusableMemberGivesNoMember() {
        let fixture = BalancerFixture(["only"])
        fixture.setActivation("only", .stopped)
        var offset = 0
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            #expect(MemberChooser.choose(view: view, session: nil, stateless: false, nextOffset: &offset,
                                         note: &note) == nil)
        }
    }

    @Test func oneDisabledMemberServesOnlyItsSessions() {
        let fixture = BalancerFixture(["only:r1"])
        fixture.setActivation("only", .disabled)
        var offset = 0
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            #expect(MemberChooser.choose(view: view, session: nil, stateless: false, nextOffset: &offset,
                                         note: &note) == nil)
            #expect(MemberChooser.choose(view: view, session: session("A.r1"), stateless: false,
                                         nextOffset: &offset, note: &note) == .init(member: 0, sticky: true))
        }
    }

    @Test func ruleOverridesDecideActivation() {
        let fixture = BalancerFixture(["a", "b", "c"])
        fixture.setActivation("c", .disabled)
        let overrides = ActivationOverrides(values: [.disabled, nil, .active])
        var offset = 0
        let picks: [Int?] = fixture.withView(overrides: overrides) { view in
            (0..<4).map { _ in
                var note = RouteResolver.RouteNote.unset
                let choice = MemberChooser.choose(view: view, session: nil, stateless: false, nextOffset: &offset,
                                                  note: &note)
                if let member = choice?.member { fixture.slots.member(member).pointee.lb_value += 1 }
                return choice?.member
            }
        }
        #expect(picks == [1, 2, 1, 2])
    }
}
