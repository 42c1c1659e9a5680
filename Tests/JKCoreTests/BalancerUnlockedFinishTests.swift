import CJKCore
import Testing
@testable import JKCore

/// `BalancerService.finishedWithoutLock`: the end of a request that needs no segment lock must leave
/// the slots exactly as `attemptFinished` would, and must decline whenever more than atomic
/// counters would change.
@Suite struct BalancerUnlockedFinishTests {
    /// How the fixture's first member stands before the request.
    enum Before {
        case idle, cleanOK, okWithPendingError, error, recovering
    }

    /// One request to the first member, ended by `report`, either through `finishedWithoutLock`
    /// (falling back to `attemptFinished` when it declines) or through `attemptFinished` alone.
    /// Returns whether the unlocked end took it, and every slot's bytes afterwards.
    private func run(_ before: Before, method: LoadBalancerMethod = .request, lock: LoadBalancerLock = .optimistic,
                     report: AttemptReport, unlocked: Bool) -> (tookIt: Bool, slots: [UInt8], lastStatus: Int32,
                                                                transition: MemberStateMachine.Outcome?) {
        let fixture = BalancerFixture(["a:r1", "b:r2"], lb: {
            $0.method = method
            $0.lock = lock
        })
        let slot = fixture.member("a")
        switch before {
        case .idle: break
        case .cleanOK: fixture.setState("a", .ok)
        case .okWithPendingError:
            fixture.setState("a", .ok)
            slot.pointee.first_error_time = 900
            slot.pointee.last_error_time = 950
        case .error:
            fixture.setState("a", .error)
            slot.pointee.first_error_time = 900
            slot.pointee.last_error_time = 950
        case .recovering: fixture.setState("a", .recover)
        }
        fixture.setActivation("b", .disabled)   // the first choice is always "a"
        var offset = 0
        return BalancerService.withLocalStates(memberCount: 2) { states in
            var service = BalancerService(slots: fixture.slots, request: BalancerRequest(), states: states,
                                          hasFreeEndpoint: { _ in true })
            guard case .tryMember(let attempt) = service.nextAttempt(nextOffset: &offset), attempt.member == 0,
                  service.exchangeStarting() else {
                Issue.record("the request did not start on member a")
                return (false, [], 0, nil)
            }
            #expect(fixture.slots.balancer.pointee.busy == 1)
            var tookIt = false
            let verdict: BalancerService.Verdict
            if unlocked, let done = service.finishedWithoutLock(report) {
                tookIt = true
                verdict = done
            } else {
                verdict = service.attemptFinished(report, now: 1000)
            }
            #expect(verdict == .finished || report.result != .success)
            let bytes = Array(UnsafeRawBufferPointer(fixture.arena.buffer))
            return (tookIt, bytes, service.lastStatus, service.lastTransition)
        }
    }

    @Test func aSuccessOnACleanMemberEndsWithoutTheLockAndChangesWhatTheLockedEndWould() {
        for method in [LoadBalancerMethod.request, .sessions, .next] {
            let report = AttemptReport(result: .success, status: 200, bytesReceived: 17, bytesSent: 300)
            let fast = run(.cleanOK, method: method, report: report, unlocked: true)
            let locked = run(.cleanOK, method: method, report: report, unlocked: false)
            #expect(fast.tookIt, "method \(method)")
            #expect(fast.slots == locked.slots, "method \(method)")
            #expect(fast.lastStatus == 200 && locked.lastStatus == 200)
            #expect(fast.transition == locked.transition)
        }
    }

    /// A one-member lb whose member is cleanly OK, and a service for one request on it.
    private func withOneMember(_ body: (BalancerFixture, inout BalancerService, inout Int) -> Void) {
        let fixture = BalancerFixture(["a"])
        fixture.setState("a", .ok)
        var offset = 0
        BalancerService.withLocalStates(memberCount: 1) { states in
            var service = BalancerService(slots: fixture.slots, request: BalancerRequest(), states: states,
                                          hasFreeEndpoint: { _ in true })
            body(fixture, &service, &offset)
        }
    }

    @Test func theBusyPlaceAndTheWorkerCountersAreGivenBack() {
        withOneMember { fixture, service, offset in
            guard case .tryMember = service.nextAttempt(nextOffset: &offset), service.exchangeStarting() else {
                Issue.record("no attempt")
                return
            }
            #expect(fixture.worker("a").pointee.busy == 1)
            let report = AttemptReport(result: .success, status: 204, bytesReceived: 5, bytesSent: 7)
            #expect(service.finishedWithoutLock(report) == .finished)
            #expect(fixture.slots.balancer.pointee.busy == 0)
            #expect(fixture.slots.balancer.pointee.max_busy == 1)
            #expect(fixture.worker("a").pointee.busy == 0)
            #expect(fixture.worker("a").pointee.bytes_read == 5)
            #expect(fixture.worker("a").pointee.bytes_written == 7)
            #expect(fixture.member("a").pointee.elected == 1)
            // Finished: asking again is a driver bug and gives up, as after attemptFinished.
            #expect(service.nextAttempt(nextOffset: &offset) == .giveUp(status: 204))
        }
    }

    @Test func itDeclinesWheneverTheMemberOrTheMethodNeedsTheLock() {
        let success = AttemptReport(result: .success, status: 200, bytesReceived: 17, bytesSent: 300)
        // The member's state or error times would change: IDLE → OK, pending error times cleared,
        // ERR → OK, REC → OK.
        for before in [Before.idle, .okWithPendingError, .error, .recovering] {
            let fast = run(before, report: success, unlocked: true)
            let locked = run(before, report: success, unlocked: false)
            #expect(!fast.tookIt, "member \(before)")
            #expect(fast.slots == locked.slots, "member \(before)")
        }
        // Traffic and Busyness charge lb_value when an attempt ends.
        for method in [LoadBalancerMethod.traffic, .busyness] {
            #expect(!run(.cleanOK, method: method, report: success, unlocked: true).tookIt, "method \(method)")
        }
        // lock=P keeps the end of every request locked, as in mod_jk.
        let pessimistic = run(.cleanOK, lock: .pessimistic, report: success, unlocked: true)
        #expect(!pessimistic.tookIt)
        #expect(pessimistic.slots == run(.cleanOK, lock: .pessimistic, report: success, unlocked: false).slots)
        // Anything but a success goes through the state machine.
        let failures = [AttemptReport(result: .clientError, status: 400),
                        AttemptReport(result: .failure, recoverable: true, status: 503),
                        AttemptReport(result: .softFailOnStatus, status: 500),
                        AttemptReport(result: .replyTimeout, recoverable: true, status: 504)]
        for report in failures {
            let fast = run(.cleanOK, report: report, unlocked: true)
            #expect(!fast.tookIt, "result \(report.result)")
            #expect(fast.slots == run(.cleanOK, report: report, unlocked: false).slots)
        }
    }

    @Test func itDeclinesBeforeAnExchangeStarted() {
        withOneMember { _, service, offset in
            #expect(service.finishedWithoutLock(AttemptReport(result: .success, status: 200)) == nil)
            guard case .tryMember = service.nextAttempt(nextOffset: &offset) else {
                Issue.record("no attempt")
                return
            }
            // Chosen, but no exchange started (no busy place taken): the locked end must count it.
            #expect(service.finishedWithoutLock(AttemptReport(result: .success, status: 200)) == nil)
        }
    }
}
