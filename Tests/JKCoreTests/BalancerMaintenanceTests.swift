import Testing
@testable import JKCore

/// §9.9: decay, Next normalisation, recovery, escalation, idle detection, forced recovery, the
/// cross-process election, and T55 with an injected clock.
@Suite struct BalancerMaintenanceTests {
    @Test func electionRunsOncePerPeriodAcrossProcesses() {
        var header: Int64 = 1000
        #expect(!BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1059, interval: 60))
        #expect(BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1060, interval: 60))
        #expect(header == 1060)
        // A second process in the same period loses.
        #expect(!BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1061, interval: 60))
        #expect(!BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1119, interval: 60))
        #expect(BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1500, interval: 60))
    }

    @Test func electionNeverRunsWhenMaintenanceIsOff() {
        var header: Int64 = 0
        #expect(!BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1_000_000, interval: 0))
        #expect(!BalancerMaintenance.claimGlobalRun(lastRun: &header, now: 1_000_000, interval: -5))
    }

    @Test func electionSurvivesExtremeClocks() {
        var header = Int64.max
        #expect(!BalancerMaintenance.claimGlobalRun(lastRun: &header, now: Int64.min, interval: 60))
        header = Int64.min
        #expect(BalancerMaintenance.claimGlobalRun(lastRun: &header, now: Int64.min + 10, interval: 60))
    }

    @Test func decayHalvesPerElapsedPeriod() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000)
        fixture.member("a").pointee.lb_value = 1000
        fixture.member("b").pointee.lb_value = 7
        fixture.worker("a").pointee.reply_timeouts = 8
        let report = BalancerMaintenance.maintain(fixture.slots, now: 1000 + 150)
        #expect(report.exponent == 2)
        #expect(fixture.lbValues == [250, 1])
        #expect(report.curmax == 250)
        #expect(fixture.worker("a").pointee.reply_timeouts == 2)
        #expect(fixture.slots.balancer.pointee.last_maintain_time == 1150)
    }

    @Test func lessThanOnePeriodDoesNotDecay() {
        let fixture = BalancerFixture(["a"], maintain: 60, now: 1000)
        fixture.member("a").pointee.lb_value = 1000
        #expect(BalancerMaintenance.maintain(fixture.slots, now: 1059).exponent == 0)
        #expect(fixture.lbValues == [1000])
    }

    @Test func longIdlenessDecaysToZeroWithoutOverflow() {
        let fixture = BalancerFixture(["a"], maintain: 1, now: 0)
        fixture.member("a").pointee.lb_value = UInt64.max
        fixture.worker("a").pointee.reply_timeouts = -1
        #expect(BalancerMaintenance.maintain(fixture.slots, now: Int64.max).exponent == Int64.max)
        #expect(fixture.lbValues == [0])
        #expect(fixture.worker("a").pointee.reply_timeouts == 0)
    }

    @Test func clockGoingBackwardsDoesNotShiftLeft() {
        let fixture = BalancerFixture(["a"], maintain: 60, now: 5000)
        fixture.member("a").pointee.lb_value = 12
        #expect(BalancerMaintenance.maintain(fixture.slots, now: 1000).exponent == 0)
        #expect(fixture.lbValues == [12])
    }

    @Test func maintenanceOffDoesNothing() {
        let fixture = BalancerFixture(["a"], maintain: 0, now: 0)
        fixture.member("a").pointee.lb_value = 12
        fixture.setState("a", .error)
        #expect(BalancerMaintenance.maintain(fixture.slots, now: 100_000) == .init())
        #expect(fixture.lbValues == [12])
        #expect(fixture.state("a") == .error)
    }

    @Test func busynessIsNeitherDecayedNorRaisedOnRecovery() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000, lb: { $0.method = .busyness })
        fixture.member("a").pointee.lb_value = 4
        fixture.member("b").pointee.lb_value = 1
        fixture.setState("b", .error)
        fixture.member("b").pointee.last_error_time = 1000
        let report = BalancerMaintenance.maintain(fixture.slots, now: 1000 + 120)
        #expect(report.curmax == 0)
        #expect(fixture.lbValues == [4, 1])
        #expect(fixture.state("b") == .recover)
    }

    @Test func nextSubtractsTheSmallestUsableValue() {
        let fixture = BalancerFixture(["a", "b", "c", "d"], maintain: 60, now: 1000, lb: { $0.method = .next })
        for (name, value) in [("a", 10), ("b", 4), ("c", 2), ("d", 7)] {
            fixture.member(name).pointee.lb_value = UInt64(value)
        }
        fixture.setActivation("c", .disabled)
        let report = BalancerMaintenance.maintain(fixture.slots, now: 1000 + 600)
        // No decay for Next; curmax is taken before the normalisation.
        #expect(report.curmax == 10)
        #expect(fixture.lbValues == [6, 0, 0, 3])
    }

    @Test func nextWithNothingUsableSubtractsNothing() {
        let fixture = BalancerFixture(["a"], maintain: 60, now: 1000, lb: { $0.method = .next })
        fixture.member("a").pointee.lb_value = 5
        fixture.setState("a", .busy)
        BalancerMaintenance.maintain(fixture.slots, now: 1060)
        #expect(fixture.lbValues == [5])
    }

    @Test func errorRecoversAfterRecoverTimeAtCurmax() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000, lb: { $0.recoverTime = 60 })
        fixture.member("a").pointee.lb_value = 40
        fixture.setState("b", .error)
        fixture.member("b").pointee.last_error_time = 1000
        fixture.member("b").pointee.first_error_time = 1000
        fixture.worker("b").pointee.reply_timeouts = 9
        // Exactly recover_time later: not yet (mod_jk wants more than recover_time).
        var report = BalancerMaintenance.maintain(fixture.slots, now: 1060)
        #expect(report.recovered == 0)
        #expect(fixture.state("b") == .error)
        report = BalancerMaintenance.maintain(fixture.slots, now: 1121)
        #expect(report.recovered == 1)
        #expect(fixture.state("b") == .recover)
        #expect(fixture.lbValue("b") == fixture.lbValue("a"))
        // 40 halved by each of the two runs.
        #expect(fixture.lbValue("a") == 10)
        #expect(fixture.worker("b").pointee.reply_timeouts == 0)
    }

    @Test func lingeringLocalErrorEscalates() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000, lb: { $0.errorEscalationTime = 30 })
        fixture.member("a").pointee.first_error_time = 1000
        fixture.member("a").pointee.elected = 1
        fixture.setState("a", .ok)
        var report = BalancerMaintenance.maintain(fixture.slots, now: 1029)
        #expect(report.escalated == 0)
        #expect(fixture.state("a") == .ok)
        report = BalancerMaintenance.maintain(fixture.slots, now: 1030)
        #expect(report.escalated == 1)
        #expect(fixture.state("a") == .error)
    }

    @Test func recoveringMemberWithOldErrorIsNotEscalated() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000)
        fixture.setState("a", .recover)
        fixture.member("a").pointee.first_error_time = 1
        BalancerMaintenance.maintain(fixture.slots, now: 2000)
        #expect(fixture.state("a") == .recover)
    }

    @Test func okWithoutAttemptsSinceLastMaintenanceBecomesIdle() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000)
        fixture.setState("a", .ok)
        fixture.setState("b", .ok)
        fixture.member("a").pointee.elected = 5
        fixture.member("a").pointee.elected_snapshot = 5
        fixture.member("b").pointee.elected = 6
        fixture.member("b").pointee.elected_snapshot = 5
        let report = BalancerMaintenance.maintain(fixture.slots, now: 1060)
        #expect(report.idled == 1)
        #expect(fixture.state("a") == .idle)
        #expect(fixture.state("b") == .ok)
        #expect(fixture.member("b").pointee.elected_snapshot == 6)
        // Next period without attempts: b becomes idle too.
        BalancerMaintenance.maintain(fixture.slots, now: 1120)
        #expect(fixture.state("b") == .idle)
    }

    @Test func allInErrorAreForcedBackIntoUse() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000)
        for name in ["a", "b"] {
            fixture.setState(name, .error)
            fixture.member(name).pointee.last_error_time = 1055
            fixture.worker(name).pointee.reply_timeouts = 3
        }
        let report = BalancerMaintenance.maintain(fixture.slots, now: 1060)
        #expect(report.forced == 2)
        #expect(fixture.state("a") == .forced)
        #expect(fixture.state("b") == .forced)
        #expect(fixture.worker("a").pointee.reply_timeouts == 0)
    }

    @Test func escalatedMembersCountAsErrorForForcedRecovery() {
        let fixture = BalancerFixture(["a"], maintain: 60, now: 1000)
        fixture.setState("a", .ok)
        fixture.member("a").pointee.first_error_time = 900
        let report = BalancerMaintenance.maintain(fixture.slots, now: 1060)
        #expect(report.escalated == 1)
        #expect(report.forced == 1)
        #expect(fixture.state("a") == .forced)
    }

    @Test func oneUsableMemberPreventsForcedRecovery() {
        let fixture = BalancerFixture(["a", "b"], maintain: 60, now: 1000)
        fixture.setState("a", .error)
        fixture.member("a").pointee.last_error_time = 1055
        fixture.setState("b", .busy)
        #expect(BalancerMaintenance.maintain(fixture.slots, now: 1060).forced == 0)
        #expect(fixture.state("a") == .error)
    }

    @Test func t55RecoveryWithInjectedClock() {
        // recover_time=5, worker.maintain=5; one member whose backend died.
        var fixture = BalancerFixture(["m"], maintain: 5, now: 1000, lb: { $0.recoverTime = 5 })
        var header: Int64 = 1000
        let failed = fixture.serve(now: 1001, reply: { _ in .refused })
        #expect(failed.tried == ["m", "m"])
        #expect(fixture.state("m") == .error)
        // The backend is restarted; the next request comes 12 s later and triggers maintenance.
        let now: Int64 = 1013
        #expect(BalancerMaintenance.claimGlobalRun(lastRun: &header, now: now, interval: 5))
        let report = BalancerMaintenance.maintain(fixture.slots, now: now)
        #expect(report.recovered == 1)
        #expect(fixture.state("m") == .recover)
        var probed: MemberState?
        let member = fixture.member("m")
        let trace = fixture.serve(now: now, reply: { _ in
            probed = MemberState(slotValue: member.pointee.state)
            return .ok
        })
        #expect(trace.tried == ["m"])
        #expect(probed == .probe)
        #expect(fixture.state("m") == .ok)
        #expect(fixture.member("m").pointee.first_error_time == 0)
    }

    @Test func t55NoRecoveryWithoutMaintenance() {
        var fixture = BalancerFixture(["m", "n"], maintain: 5, now: 1000, lb: { $0.recoverTime = 5 })
        fixture.setState("m", .error)
        fixture.member("m").pointee.last_error_time = 1000
        // No maintenance ran: however late, the member stays ERR and is not chosen.
        #expect(fixture.schedule(3) == ["n", "n", "n"])
        #expect(fixture.state("m") == .error)
    }
}
