import Testing
@testable import JKCore

/// §9.7: the retry/failover loop driven through whole requests (T51, T52, T53, T54, T57, T60, T62).
@Suite struct BalancerServiceTests {
    /// A state code that is not one of mod_jk's (a corrupted or foreign segment) reads as `error`:
    /// the member is never chosen on the strength of garbage, and its slot is left as it is.
    @Test func unknownSharedStateCodeReadsAsErrorAndIsNotChosen() {
        var fixture = BalancerFixture(["a1", "a2", "a3"])
        fixture.member("a2").pointee.state = 77
        fixture.member("a3").pointee.state = -3
        #expect(fixture.schedule(4) == ["a1", "a1", "a1", "a1"])
        #expect(fixture.member("a2").pointee.state == 77)
    }

    @Test func t51FailoverMarksTheDeadMemberAndKeepsTheFirstRoute() {
        var fixture = BalancerFixture(["tomcat1:node1", "tomcat2:node2"])
        let dead: (String) -> Reply = { $0 == "tomcat2" ? .refused : .ok }
        let first = fixture.serve(reply: dead)
        #expect(first.tried == ["tomcat1"])
        let second = fixture.serve(reply: dead)
        #expect(second.tried == ["tomcat2", "tomcat1"])
        #expect(second.steps.last == .finished(200))
        // The request that picked node2 escalated at once (nothing else in flight).
        #expect(second.transitions.first == .init(shared: .error, local: .error, escalated: true))
        #expect(fixture.state("tomcat2") == .error)
        #expect(fixture.member("tomcat2").pointee.errors == 1)
        // The failed-over request still carries route node2.
        #expect(second.routes == ["node2", "node2"])
        // Later requests avoid the dead member.
        #expect(fixture.serve(reply: dead).tried == ["tomcat1"])
    }

    @Test func t52StickyToDeadMemberFailsOverWithoutForce() {
        var fixture = BalancerFixture(["tomcat1:node1", "tomcat2:node2"])
        let trace = fixture.serve(BalancerRequest(sessionID: session(".node2")),
                                  reply: { $0 == "tomcat2" ? .refused : .ok })
        #expect(trace.tried == ["tomcat2", "tomcat1"])
        #expect(trace.attempts.map(\.viaSession) == [true, false])
        #expect(trace.steps.last == .finished(200))
    }

    @Test func t52StickyToDeadMemberWithForceIs503AfterForcedRecovery() {
        var fixture = BalancerFixture(["tomcat1:node1", "tomcat2:node2"], lb: { $0.stickySessionForce = true })
        let trace = fixture.serve(BalancerRequest(sessionID: session(".node2")),
                                  reply: { $0 == "tomcat2" ? .refused : .ok })
        #expect(trace.steps == [.tried("tomcat2"), .tried("tomcat2"), .slept(100), .gaveUp(503)])
        #expect(trace.didForceRecovery)
        #expect(fixture.state("tomcat2") == .error)
        #expect(fixture.member("tomcat2").pointee.errors == 2)
        #expect(fixture.member("tomcat1").pointee.elected == 0)
    }

    @Test func t53RecoverableFailureReplaysOnTheNextMember() {
        var fixture = BalancerFixture(["d3", "d1"])
        let trace = fixture.serve(reply: { name in
            name == "d3" ? .report(AttemptReport(result: .failure, recoverable: true, status: 502)) : .ok
        })
        #expect(trace.steps == [.tried("d3"), .tried("d1"), .finished(200)])
        #expect(fixture.state("d3") == .error)
        #expect(fixture.state("d1") == .ok)
    }

    @Test func t54UnrecoverableFailureEndsTheRequest() {
        var fixture = BalancerFixture(["d3", "d1"])
        let trace = fixture.serve(reply: { name in
            name == "d3" ? .report(AttemptReport(result: .failure, recoverable: false, status: 502)) : .ok
        })
        #expect(trace.steps == [.tried("d3"), .finished(502)])
        #expect(fixture.member("d1").pointee.elected == 0)
        #expect(fixture.state("d3") == .error)
    }

    @Test func clientErrorIsNeverFailedOver() {
        var fixture = BalancerFixture(["a", "b"])
        let trace = fixture.serve(reply: { _ in .report(AttemptReport(result: .clientError, recoverable: true,
                                                                      status: 400)) })
        #expect(trace.steps == [.tried("a"), .finished(400)])
        #expect(fixture.state("a") == .ok)
    }

    @Test func t57HotStandbyAnswersEverything() {
        var fixture = BalancerFixture(["h1", "h2"], member: { name, settings in
            if name == "h1" { settings.redirect = "h2" }
            if name == "h2" { settings.activation = .disabled }
        })
        var answeredBy: [String] = []
        for _ in 0..<4 {
            let trace = fixture.serve(reply: { $0 == "h1" ? .refused : .ok })
            answeredBy.append(trace.tried.last ?? "-")
            #expect(trace.steps.last == .finished(200))
        }
        #expect(answeredBy == ["h2", "h2", "h2", "h2"])
    }

    @Test func t60SoftFailOnStatusFailsOverAndMemberStaysOK() {
        var fixture = BalancerFixture(["m503", "m1"])
        let soft = AttemptReport(result: .softFailOnStatus, status: 503)
        for _ in 0..<4 {
            let trace = fixture.serve(reply: { $0 == "m503" ? .report(soft) : .ok })
            #expect(trace.tried.last == "m1")
            #expect(trace.steps.last == .finished(200))
            #expect(fixture.state("m503") == .ok)
        }
        #expect(fixture.member("m503").pointee.errors == 0)
    }

    @Test func t62BusyLimitSendsTheSecondConcurrentRequestElsewhere() {
        let fixture = BalancerFixture(["m1", "m2"], member: { name, settings in
            if name == "m1" { settings.busyLimit = 1 }
        })
        var offset = 0
        BalancerService.withLocalStates(memberCount: 2) { statesA in
            BalancerService.withLocalStates(memberCount: 2) { statesB in
                // Request A is sticky to m1 and is in the middle of its exchange.
                var a = BalancerService(slots: fixture.slots, request: BalancerRequest(sessionID: session(".m1")),
                                        states: statesA, hasFreeEndpoint: { _ in true })
                #expect(a.nextAttempt(nextOffset: &offset).member == 0)
                let startedA = a.exchangeStarting()
                #expect(startedA)
                #expect(fixture.worker("m1").pointee.busy == 1)
                // Request B is sticky to m1 too: the busy limit sends it to m2.
                var b = BalancerService(slots: fixture.slots, request: BalancerRequest(sessionID: session(".m1")),
                                        states: statesB, hasFreeEndpoint: { _ in true })
                #expect(b.nextAttempt(nextOffset: &offset).member == 0)
                let startedB = b.exchangeStarting()
                #expect(!startedB)
                #expect(fixture.state("m1") == .busy)
                #expect(fixture.worker("m1").pointee.busy == 1)
                #expect(fixture.worker("m1").pointee.max_busy == 1)
                #expect(b.nextAttempt(nextOffset: &offset).member == 1)
                let startedB2 = b.exchangeStarting()
                #expect(startedB2)
                #expect(b.attemptFinished(AttemptReport(result: .success, status: 200), now: 1000) == .finished)
                #expect(a.attemptFinished(AttemptReport(result: .success, status: 200), now: 1001) == .finished)
                #expect(fixture.state("m1") == .ok)
                #expect(fixture.worker("m1").pointee.busy == 0)
                #expect(fixture.slots.balancer.pointee.busy == 0)
                #expect(fixture.slots.balancer.pointee.max_busy == 2)
            }
        }
    }

    @Test func busyMemberIsBackWhenItHasRoomAgain() {
        var fixture = BalancerFixture(["a", "b"], member: { name, settings in
            if name == "a" { settings.busyLimit = 2 }
        })
        fixture.setState("a", .busy)
        fixture.worker("a").pointee.busy = 2
        #expect(fixture.serve().tried == ["b"])
        #expect(fixture.state("a") == .busy)
        fixture.worker("a").pointee.busy = 1
        #expect(fixture.serve(hasFreeEndpoint: { $0 != 0 }).tried == ["b"])
        #expect(fixture.state("a") == .busy)
        let trace = fixture.serve(hasFreeEndpoint: { _ in true })
        #expect(fixture.state("a") == .ok)
        #expect(trace.tried == ["a"])
    }

    @Test func noFreeEndpointMarksBusyAndMovesOn() {
        var fixture = BalancerFixture(["a", "b"])
        let trace = fixture.serve(reply: { $0 == "a" ? .noEndpoint : .ok })
        #expect(trace.tried == ["a", "b"])
        #expect(fixture.state("a") == .busy)
        // The attempt that got no endpoint is not charged.
        #expect(fixture.lbValues == [0, 1])
    }

    @Test func twoDeadMembersWithDefaultsGetFourMemberAttempts() {
        var fixture = BalancerFixture(["a", "b"])
        let trace = fixture.serve(reply: { _ in .report(AttemptReport(result: .failure, status: 502)) })
        #expect(trace.steps == [.tried("a"), .tried("b"), .slept(100), .tried("a"), .tried("b"), .gaveUp(502)])
        #expect(trace.didForceRecovery)
        #expect(fixture.state("a") == .error)
        #expect(fixture.state("b") == .error)
    }

    @Test func roundsAndAttemptsFollowRetriesAndLbRetries() {
        var fixture = BalancerFixture(["a", "b", "c", "d"], lb: { settings in
            settings.retries = 3
            settings.lbRetries = 3
            settings.retryInterval = 25
        })
        let soft = AttemptReport(result: .softFailOnStatus, status: 503)
        let trace = fixture.serve(reply: { _ in .report(soft) })
        #expect(trace.steps.map(\.description) == ["a", "b", "c", "sleep 25", "d", "a", "b", "sleep 25",
                                                   "c", "d", "a", "give up 503"])
    }

    @Test func lbRetriesOneTriesOneMemberPerRound() {
        var fixture = BalancerFixture(["a", "b"], lb: { $0.lbRetries = 1 })
        let trace = fixture.serve(reply: { _ in .report(AttemptReport(result: .softFailOnStatus, status: 503)) })
        #expect(trace.steps.map(\.description) == ["a", "sleep 100", "b", "give up 503"])
    }

    @Test func zeroRetryIntervalDoesNotAskForASleep() {
        var fixture = BalancerFixture(["a"], lb: { $0.retryInterval = 0 })
        let trace = fixture.serve(reply: { _ in .report(AttemptReport(result: .protocolError, status: 502)) })
        #expect(trace.steps.map(\.description) == ["a", "a", "give up 502"])
    }

    @Test func nothingUsableGivesUpWith503AfterSleeping() {
        var fixture = BalancerFixture(["a", "b"])
        fixture.setActivation("a", .disabled)
        fixture.setActivation("b", .stopped)
        let trace = fixture.serve()
        #expect(trace.steps == [.slept(100), .gaveUp(503)])
        #expect(trace.didForceRecovery)
    }

    @Test func forcedRecoveryHappensOnlyOncePerRequest() {
        var fixture = BalancerFixture(["a"])
        fixture.setState("a", .error)
        let trace = fixture.serve(reply: { _ in .refused })
        #expect(trace.steps == [.tried("a"), .slept(100), .gaveUp(503)])
        #expect(fixture.state("a") == .error)
    }

    @Test func forcedMemberThatSucceedsIsOK() {
        var fixture = BalancerFixture(["a", "b"])
        fixture.setState("a", .error)
        fixture.setState("b", .error)
        let trace = fixture.serve()
        #expect(trace.tried == ["a"])
        #expect(fixture.state("a") == .ok)
        #expect(fixture.state("b") == .forced)
    }

    @Test func localErrorMarksAreDroppedInTheNextRound() {
        var fixture = BalancerFixture(["a", "b"])
        let soft = AttemptReport(result: .softFailOnStatus, status: 503)
        var calls = 0
        let trace = fixture.serve(reply: { name in
            calls += 1
            return calls < 3 ? .report(soft) : .ok
        })
        #expect(trace.steps.map(\.description) == ["a", "b", "sleep 100", "a", "done 200"])
    }

    @Test func setSessionCookieOnlyForAttemptsNotRoutedBySession() {
        var fixture = BalancerFixture(["t1:node1", "t2:node2"], lb: { $0.setSessionCookie = true })
        let balanced = fixture.serve()
        #expect(balanced.attempts.map(\.setsSessionCookie) == [true])
        let sticky = fixture.serve(BalancerRequest(sessionID: session("A.node2")))
        #expect(sticky.attempts.map(\.setsSessionCookie) == [false])
        let failover = fixture.serve(BalancerRequest(sessionID: session("A.node2")),
                                     reply: { $0 == "t2" ? .refused : .ok })
        #expect(failover.attempts.map(\.setsSessionCookie) == [false, true])
    }

    @Test func ruleExtensionSwitchesTheSessionCookieOn() {
        var fixture = BalancerFixture(["t1:node1", "t2:node2"])
        #expect(fixture.serve().attempts.map(\.setsSessionCookie) == [false])
        #expect(fixture.serve(BalancerRequest(setSessionCookie: true)).attempts.map(\.setsSessionCookie) == [true])
    }

    @Test func sessionCookieHeaderValueIsExact() {
        let fixture = BalancerFixture(["t1:node1"], lb: { $0.sessionCookie = "ROUTEID" })
        let text = { (secure: Bool) in
            String(decoding: fixture.topology.sessionCookieValue(member: 0, secure: secure), as: UTF8.self)
        }
        #expect(text(false) == "ROUTEID=.node1;PATH=/;HttpOnly")
        #expect(text(true) == "ROUTEID=.node1;PATH=/;HttpOnly;Secure")
        let noPath = BalancerFixture(["t1:node1"], lb: { $0.sessionCookiePath = "" })
        #expect(String(decoding: noPath.topology.sessionCookieValue(member: 0, secure: false), as: UTF8.self)
            == "JSESSIONID=.node1;HttpOnly")
        #expect(noPath.topology.sessionCookieValue(member: 5, secure: false).isEmpty)
    }

    @Test func environmentRouteIsTheRouteAttribute() {
        var fixture = BalancerFixture(["t1:node1", "t2:node2"])
        let bytes = RequestBytes()
        let request = BalancerRequest(sessionID: SessionID(forcedRoute: bytes.view("node2")),
                                      environmentRoute: bytes.view("node2"))
        let trace = fixture.serve(request, reply: { $0 == "t2" ? .refused : .ok })
        #expect(trace.tried == ["t2", "t1"])
        #expect(trace.attempts.map(\.route) == [.environment, .environment])
        #expect(trace.routes == ["node2", "node2"])
        withExtendedLifetime(bytes) {}
    }

    @Test func redirectFailoverRewritesTheRoute() {
        var fixture = BalancerFixture(["m1:r1", "m2:r2"], member: { name, settings in
            if name == "m1" { settings.redirect = "r2" }
        })
        let trace = fixture.serve(BalancerRequest(sessionID: session("A.r1")), reply: { $0 == "m1" ? .refused : .ok })
        #expect(trace.tried == ["m1", "m2"])
        #expect(trace.routes == ["r1", "r2"])
    }

    @Test func statisticsAreKeptInTheSlots() {
        var fixture = BalancerFixture(["a", "b"], lb: { $0.method = .traffic })
        _ = fixture.serve(reply: { _ in .report(AttemptReport(result: .success, status: 200, replyTimeouts: 1,
                                                              bytesReceived: 300, bytesSent: 50)) })
        let worker = fixture.worker("a").pointee
        #expect(worker.bytes_read == 300)
        #expect(worker.bytes_written == 50)
        #expect(worker.reply_timeouts == 1)
        #expect(worker.elected == 1)
        #expect(worker.busy == 0)
        #expect(fixture.member("a").pointee.elected == 1)
        #expect(fixture.lbValues == [350, 0])
    }

    @Test func replyTimeoutsAccumulateTowardsMaxReplyTimeouts() {
        var fixture = BalancerFixture(["a", "b"], lb: { $0.maxReplyTimeouts = 2 })
        let timeout = Reply.report(AttemptReport(result: .replyTimeout, status: 504, replyTimeouts: 1))
        for expected in [MemberState.ok, .ok, .error] {
            fixture.nextOffset = 0
            fixture.member("a").pointee.lb_value = 0
            fixture.member("b").pointee.lb_value = 100
            _ = fixture.serve(reply: { $0 == "a" ? timeout : .ok })
            #expect(fixture.state("a") == expected)
        }
    }

    @Test func misuseEndsTheRequestInsteadOfTrapping() {
        let fixture = BalancerFixture(["a", "b"])
        BalancerService.withLocalStates(memberCount: 2) { states in
            var service = BalancerService(slots: fixture.slots, request: BalancerRequest(), states: states,
                                          hasFreeEndpoint: { _ in true })
            var offset = 0
            // Reporting before anything was tried.
            #expect(service.attemptFinished(AttemptReport(result: .success), now: 1000) == .finished)
            var fresh = BalancerService(slots: fixture.slots, request: BalancerRequest(), states: states,
                                        hasFreeEndpoint: { _ in true })
            #expect(fresh.nextAttempt(nextOffset: &offset).member == 0)
            // Asking again without reporting the attempt.
            #expect(fresh.nextAttempt(nextOffset: &offset) == .giveUp(status: 500))
            #expect(fresh.nextAttempt(nextOffset: &offset) == .giveUp(status: 500))
            let started = fresh.exchangeStarting()
            #expect(!started)
        }
    }

    @Test func resultWithoutExchangeStartingIsAccountedAsStarted() {
        let fixture = BalancerFixture(["a", "b"])
        BalancerService.withLocalStates(memberCount: 2) { states in
            var service = BalancerService(slots: fixture.slots, request: BalancerRequest(), states: states,
                                          hasFreeEndpoint: { _ in true })
            var offset = 0
            #expect(service.nextAttempt(nextOffset: &offset).member == 0)
            #expect(service.attemptFinished(AttemptReport(result: .success, status: 200), now: 1000) == .finished)
        }
        #expect(fixture.lbValues == [1, 0])
        #expect(fixture.worker("a").pointee.busy == 0)
        #expect(fixture.worker("a").pointee.elected == 1)
    }

    @Test func localStatesNeedEnoughStorage() {
        var storage = [Int32](repeating: 0, count: 2)
        storage.withUnsafeMutableBufferPointer { buffer in
            #expect(LocalMemberStates(storage: buffer, memberCount: 3) == nil)
            #expect(LocalMemberStates(storage: buffer, memberCount: 2)?[1] == .idle)
            #expect(LocalMemberStates(storage: buffer, memberCount: 2)?[2] == .error)
        }
    }
}

extension BalancerService.Action {
    /// The member of a `tryMember` action, else nil.
    var member: Int? {
        if case .tryMember(let attempt) = self { return attempt.member }
        return nil
    }
}
