import Testing
@testable import JKCore

/// §9.3: how each method charges lb_value, the `sessions` statistic, and T59.
@Suite struct LoadChargingTests {
    private func fixture(_ method: LoadBalancerMethod) -> BalancerFixture {
        BalancerFixture(["s1", "s2"], lb: { $0.method = method }, member: { name, settings in
            settings.lbfactor = name == "s1" ? 1 : 2
        })
    }

    /// lb_value of s1 (mult 2) after one attempt started, and after it ended with these bytes.
    private func charges(_ method: LoadBalancerMethod, session: Bool = false, stateless: Bool = false,
                         received: UInt64 = 0, sent: UInt64 = 0)
        -> (started: UInt64, ended: UInt64, sessions: UInt64) {
        let fixture = fixture(method)
        LoadCharging.attemptStarted(slots: fixture.slots, member: 0, hasSessionID: session, stateless: stateless)
        let started = fixture.lbValue("s1")
        LoadCharging.attemptEnded(slots: fixture.slots, member: 0, bytesReceived: received, bytesSent: sent)
        return (started, fixture.lbValue("s1"), fixture.member("s1").pointee.sessions)
    }

    @Test func requestChargesEveryAttempt() {
        #expect(charges(.request) == (2, 2, 1))
        #expect(charges(.request, session: true) == (2, 2, 0))
        #expect(charges(.request, stateless: true) == (2, 2, 0))
    }

    @Test func busynessChargesWhileInFlight() {
        #expect(charges(.busyness) == (2, 0, 1))
        #expect(charges(.busyness, session: true) == (2, 0, 0))
    }

    @Test func busynessReleaseFloorsAtZero() {
        let fixture = fixture(.busyness)
        fixture.member("s1").pointee.lb_value = 1
        LoadCharging.attemptEnded(slots: fixture.slots, member: 0, bytesReceived: 0, bytesSent: 0)
        #expect(fixture.lbValue("s1") == 0)
    }

    @Test func sessionsAndNextChargeOnlyNewSessions() {
        for method in [LoadBalancerMethod.sessions, .next] {
            #expect(charges(method) == (2, 2, 1))
            #expect(charges(method, session: true) == (0, 0, 0))
            #expect(charges(method, stateless: true) == (0, 0, 0))
        }
    }

    @Test func trafficChargesBytesTimesMultiplier() {
        #expect(charges(.traffic, received: 100, sent: 20) == (0, 240, 1))
    }

    @Test func trafficChargeSaturates() {
        let fixture = fixture(.traffic)
        LoadCharging.attemptEnded(slots: fixture.slots, member: 0, bytesReceived: UInt64.max, bytesSent: 5)
        #expect(fixture.lbValue("s1") == UInt64.max)
        fixture.member("s2").pointee.lb_value = UInt64.max - 1
        LoadCharging.attemptEnded(slots: fixture.slots, member: 1, bytesReceived: 3, bytesSent: 0)
        #expect(fixture.lbValue("s2") == UInt64.max)
    }

    @Test func requestChargeSaturates() {
        let fixture = fixture(.request)
        fixture.member("s1").pointee.lb_value = UInt64.max - 1
        LoadCharging.attemptStarted(slots: fixture.slots, member: 0, hasSessionID: false, stateless: false)
        #expect(fixture.lbValue("s1") == UInt64.max)
    }

    @Test func invalidMemberIndexChargesNothing() {
        let fixture = fixture(.request)
        LoadCharging.attemptStarted(slots: fixture.slots, member: 7, hasSessionID: false, stateless: false)
        LoadCharging.attemptEnded(slots: fixture.slots, member: -1, bytesReceived: 1, bytesSent: 1)
        #expect(fixture.lbValues == [0, 0])
    }

    @Test func t59SessionsMethodDoesNotChargeStickyTraffic() {
        var fixture = BalancerFixture(["s1", "s2"], lb: { $0.method = .sessions })
        for _ in 0..<5 { #expect(fixture.serve(BalancerRequest(sessionID: session(".s1"))).tried == ["s1"]) }
        #expect(fixture.schedule(4) == ["s1", "s2", "s1", "s2"])
        #expect(fixture.member("s1").pointee.sessions == 2)
        #expect(fixture.member("s2").pointee.sessions == 2)
    }

    @Test func t59RequestMethodIsBiasedByStickyTraffic() {
        var fixture = BalancerFixture(["s1", "s2"])
        for _ in 0..<5 { _ = fixture.serve(BalancerRequest(sessionID: session(".s1"))) }
        #expect(fixture.schedule(4) == ["s2", "s2", "s2", "s2"])
    }

    @Test func everyAttemptOfARetriedRequestIsCharged() {
        var fixture = BalancerFixture(["a", "b"])
        let trace = fixture.serve(reply: { $0 == "a" ? .refused : .ok })
        #expect(trace.tried == ["a", "b"])
        #expect(fixture.lbValues == [1, 1])
        #expect(fixture.member("a").pointee.sessions == 1)
        #expect(fixture.member("b").pointee.sessions == 1)
    }

    @Test func busynessCountsRequestsInFlight() {
        let fixture = BalancerFixture(["a", "b"], lb: { $0.method = .busyness })
        BalancerService.withLocalStates(memberCount: 2) { states in
            var first = BalancerService(slots: fixture.slots, request: BalancerRequest(), states: states,
                                        hasFreeEndpoint: { _ in true })
            var offset = 0
            let action = first.nextAttempt(nextOffset: &offset)
            #expect(action == .tryMember(.init(member: 0, route: .memberRoute(0), viaSession: false, activation: .active,
                                    setsSessionCookie: false)))
            let started = first.exchangeStarting()
            #expect(started)
            #expect(fixture.lbValues == [1, 0])
            _ = first.attemptFinished(AttemptReport(result: .success, status: 200), now: 1000)
            #expect(fixture.lbValues == [0, 0])
        }
    }
}
