import Testing
@testable import JKCore

/// Active health checks: which members are probed, and how results change their state.
@Suite struct HealthCheckTests {
    @Test func membersInErrorAreProbedAndRejoinAfterEnoughPasses() {
        let fixture = BalancerFixture(["a", "b"], lb: { settings in
            settings.healthCheckInterval = 1
            settings.healthCheckPasses = 2
        })
        fixture.member("a").pointee.state = MemberState.error.slotValue
        fixture.member("a").pointee.first_error_time = 900
        fixture.member("b").pointee.lb_value = 42
        #expect(HealthCheck.targets(fixture.slots, balancer: 0) == [HealthCheck.Target(balancer: 0, member: 0)])
        #expect(!HealthCheck.record(true, slots: fixture.slots, member: 0))
        #expect(!HealthCheck.record(false, slots: fixture.slots, member: 0), "a failed probe starts over")
        #expect(!HealthCheck.record(true, slots: fixture.slots, member: 0))
        #expect(HealthCheck.record(true, slots: fixture.slots, member: 0))
        #expect(fixture.state("a") == .idle)
        #expect(fixture.member("a").pointee.lb_value == 42, "rejoins at the current maximum, not flooded")
        #expect(fixture.member("a").pointee.first_error_time == 0)
        #expect(!HealthCheck.record(true, slots: fixture.slots, member: 1), "only members in ERR change")
        #expect(HealthCheck.targets(fixture.slots, balancer: 0).isEmpty)
    }

    @Test func intervalZeroProbesNothing() {
        let fixture = BalancerFixture(["a"], lb: { $0.healthCheckInterval = 0 })
        fixture.member("a").pointee.state = MemberState.error.slotValue
        #expect(HealthCheck.targets(fixture.slots, balancer: 0).isEmpty)
    }

    @Test func inServiceMembersAreProbedOnlyWhenAskedAndGoToErrorAfterEnoughFailures() {
        let off = BalancerFixture(["a", "b"], lb: { $0.healthCheckInterval = 1 })
        #expect(HealthCheck.targets(off.slots, balancer: 0).isEmpty, "default: only members in ERR")
        let fixture = BalancerFixture(["a", "b"], lb: { settings in
            settings.healthCheckInterval = 1
            settings.healthCheckPasses = 2
            settings.healthCheckHealthy = true
        })
        fixture.member("b").pointee.state = MemberState.busy.slotValue
        #expect(HealthCheck.targets(fixture.slots, balancer: 0)
                == [HealthCheck.Target(balancer: 0, member: 0, inService: true)])
        #expect(!HealthCheck.recordInService(false, slots: fixture.slots, member: 0, now: 2000))
        #expect(!HealthCheck.recordInService(true, slots: fixture.slots, member: 0, now: 2001), "a pass starts over")
        #expect(!HealthCheck.recordInService(false, slots: fixture.slots, member: 0, now: 2002))
        #expect(fixture.state("a") == .idle)
        #expect(HealthCheck.recordInService(false, slots: fixture.slots, member: 0, now: 2003))
        #expect(fixture.state("a") == .error)
        #expect(fixture.member("a").pointee.first_error_time == 2003)
        #expect(fixture.member("a").pointee.last_error_time == 2003)
        #expect(fixture.member("a").pointee.errors == 1)
        // in ERR it is probed like any member in error, and rejoins on passes
        #expect(HealthCheck.targets(fixture.slots, balancer: 0) == [HealthCheck.Target(balancer: 0, member: 0)])
        #expect(!HealthCheck.recordInService(false, slots: fixture.slots, member: 0, now: 2004),
                "a result meant for an in-service member changes nothing once it is in ERR")
    }
}
