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
}
