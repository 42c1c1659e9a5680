import CJKCore
import Testing
@testable import JKCore

/// A graceful restart builds a new registry and releases the old one: nothing of the old
/// configuration may stay alive (the soak measured the parent's memory growing per restart).
@Suite struct RegistryLifetimeTests {
    @Test func releasedRegistryFreesItsWorkersAndBalancers() {
        weak var registry: Registry?
        weak var balancer: LoadBalancerRuntime?
        weak var endpoint: AJPEndpoint?
        do {
            let fixture = StatusRegistryFixture(statusTestProperties)
            registry = fixture.registry
            balancer = fixture.registry.balancers.first
            endpoint = fixture.registry.endpoints.first
            #expect(registry != nil && balancer != nil && endpoint != nil)
        }
        #expect(endpoint == nil, "an ajp13 endpoint outlives its registry")
        #expect(balancer == nil, "a balancer outlives its registry")
        #expect(registry == nil, "the registry outlives its last reference")
    }
}
