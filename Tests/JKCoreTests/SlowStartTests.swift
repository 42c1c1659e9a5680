import Testing
@testable import JKCore

/// lb `slow_start`: the charge multiplier of a member that came back from an error, with an
/// injected clock.
@Suite struct SlowStartTests {
    @Test(arguments: [
        (elapsed: Int64(0), slowStart: 30, expected: UInt64(10)),   // just back: a tenth of its share
        (1, 30, 10), (3, 30, 10), (4, 30, 8), (10, 30, 3), (15, 30, 2), (20, 30, 2), (29, 30, 2),
        (30, 30, 1), (3600, 30, 1),                                 // ramp over
        (0, 0, 1), (5, 0, 1),                                       // slow_start=0: mod_jk
        (-5, 10, 10),                                               // clock went back: still ramping
    ])
    func multiplierRampsFromATenthToFull(elapsed: Int64, slowStart: Int, expected: UInt64) {
        #expect(SlowStart.multiplier(elapsed: elapsed, slowStart: slowStart) == expected)
    }

    private func fixture(_ method: LoadBalancerMethod, slowStart: Int = 20) -> BalancerFixture {
        BalancerFixture(["s1", "s2"], lb: { $0.method = method; $0.slowStart = slowStart })
    }

    @Test func aMemberBackFor5Of20SecondsIsChargedFourTimes() {
        let fixture = fixture(.request)
        fixture.member("s1").pointee.in_service_since = 1000
        let mult = fixture.member("s1").pointee.lb_mult
        LoadCharging.attemptStarted(slots: fixture.slots, member: 0, hasSessionID: false, stateless: false,
                                    now: { 1005 })
        #expect(fixture.lbValue("s1") == 4 * mult)
        LoadCharging.attemptStarted(slots: fixture.slots, member: 0, hasSessionID: false, stateless: false,
                                    now: { 1020 })
        #expect(fixture.lbValue("s1") == 5 * mult)
    }

    @Test func membersNeverInErrorAndSlowStartZeroAreChargedAsInModJK() {
        let fixture = fixture(.request)
        LoadCharging.attemptStarted(slots: fixture.slots, member: 1, hasSessionID: false, stateless: false,
                                    now: { 5 })
        #expect(fixture.lbValue("s2") == fixture.member("s2").pointee.lb_mult)
        let off = self.fixture(.request, slowStart: 0)
        off.member("s1").pointee.in_service_since = 1000
        LoadCharging.attemptStarted(slots: off.slots, member: 0, hasSessionID: false, stateless: false,
                                    now: { 1001 })
        #expect(off.lbValue("s1") == off.member("s1").pointee.lb_mult)
    }

    @Test func trafficIsMultipliedAndBusynessIsLeftAlone() {
        let traffic = fixture(.traffic)
        traffic.member("s1").pointee.in_service_since = 100
        LoadCharging.attemptEnded(slots: traffic.slots, member: 0, bytesReceived: 10, bytesSent: 0, now: { 102 })
        #expect(traffic.lbValue("s1") == 10 * traffic.member("s1").pointee.lb_mult * 10)
        let busy = fixture(.busyness)
        busy.member("s1").pointee.in_service_since = 100
        LoadCharging.attemptStarted(slots: busy.slots, member: 0, hasSessionID: false, stateless: false,
                                    now: { 101 })
        #expect(busy.lbValue("s1") == busy.member("s1").pointee.lb_mult)
        LoadCharging.attemptEnded(slots: busy.slots, member: 0, bytesReceived: 0, bytesSent: 0, now: { 101 })
        #expect(busy.lbValue("s1") == 0)
    }

    @Test func comingBackFromAnErrorStateStartsTheRampOtherChangesDoNot() {
        let fixture = fixture(.request)
        let slot = fixture.member("s1")
        slot.setMemberState(.busy)
        slot.setMemberState(.ok)
        #expect(slot.pointee.in_service_since == 0)
        slot.setMemberState(.error)
        slot.setMemberState(.idle)
        #expect(slot.pointee.in_service_since > 0)
    }

    @Test func theRampSharesNewRequestsInProportion() {
        // s1 back for 2 of 20 s (multiplier 10), s2 normal: of 110 requests s1 gets about a tenth.
        let fixture = fixture(.request)
        fixture.member("s1").pointee.in_service_since = 998
        var counts = [0, 0]
        for _ in 0..<110 {
            let pick = fixture.lbValue("s1") <= fixture.lbValue("s2") ? 0 : 1
            counts[pick] += 1
            LoadCharging.attemptStarted(slots: fixture.slots, member: pick, hasSessionID: false, stateless: false,
                                        now: { 1000 })
        }
        #expect(counts == [10, 100])
    }
}
