import CJKCore

/// Active health checks (SwiftJK; lb `health_check_interval`, `health_check_passes`): one process,
/// elected through the segment header, probes every member in ERR with a CPing on a fresh
/// connection; after `health_check_passes` consecutive CPONGs the member is back in rotation
/// (OK/IDLE) without a user request serving as the probe. Its `lb_value` is set to the current
/// maximum, as mod_jk's recovery does, so the rejoined member is not flooded with new sessions.
/// With `health_check_uri` the probe also GETs that path and wants `health_check_status`. With
/// `health_check_healthy` members in service (OK, OK/IDLE) are probed too, and after
/// `health_check_passes` failed probes in a row such a member goes to ERR for every child.
/// With `health_check_interval=0` nothing is probed (mod_jk's behaviour).
///
/// The state changes are sans-I/O (`HealthCheck.record`); the probe itself is the driver's
/// (`Registry.runHealthChecksIfDue`).
public enum HealthCheck {
    /// A member to probe.
    public struct Target: Sendable, Equatable {
        /// Index of the lb in `Registry.balancers`.
        public var balancer: Int
        /// Member index within the lb.
        public var member: Int
        /// True when the member was in service (not in ERR) when it was picked.
        public var inService: Bool = false
    }

    /// The members in ERR of `slots`' lb (with checks on).
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func targets(_ slots: BalancerSlots, balancer: Int) -> [Target] {
        guard slots.topology.settings.healthCheckInterval > 0 else { return [] }
        let healthy = slots.topology.settings.healthCheckHealthy
        var result: [Target] = []
        for member in 0..<slots.memberCount {
            let slot = slots.member(member)
            switch MemberState(slotValue: slot.pointee.state) {
            case .error:
                slot.pointee.health_failures = 0
                result.append(Target(balancer: balancer, member: member))
            case .idle where healthy, .ok where healthy:
                slot.pointee.health_passes = 0
                result.append(Target(balancer: balancer, member: member, inService: true))
            default:
                slot.pointee.health_passes = 0
                slot.pointee.health_failures = 0
            }
        }
        return result
    }

    /// Applies one probe's result; returns true when the member rejoined.
    ///
    /// - Precondition: the caller holds the segment lock.
    @discardableResult
    public static func record(_ passed: Bool, slots: BalancerSlots, member: Int) -> Bool {
        guard let slot = slots.memberSlot(member), MemberState(slotValue: slot.pointee.state) == .error else {
            return false
        }
        guard passed else {
            slot.pointee.health_passes = 0
            return false
        }
        slot.pointee.health_passes &+= 1
        guard Int(slot.pointee.health_passes) >= max(slots.topology.settings.healthCheckPasses, 1) else { return false }
        slot.pointee.health_passes = 0
        if slots.topology.settings.method != .busyness {
            var curmax: UInt64 = 0
            for other in 0..<slots.memberCount { curmax = max(curmax, slots.member(other).pointee.lb_value) }
            slot.pointee.lb_value = curmax
        }
        slot.setErrorTimes(first: 0, last: 0)
        slot.setMemberState(.idle)
        return true
    }

    /// Applies one probe's result for a member that was in service; returns true when it failed
    /// `health_check_passes` probes in a row and was put in ERR (for every child).
    ///
    /// - Precondition: the caller holds the segment lock.
    @discardableResult
    public static func recordInService(_ passed: Bool, slots: BalancerSlots, member: Int, now: Int64) -> Bool {
        guard let slot = slots.memberSlot(member) else { return false }
        let state = MemberState(slotValue: slot.pointee.state)
        guard state == .idle || state == .ok else { return false }
        guard !passed else {
            slot.pointee.health_failures = 0
            return false
        }
        slot.pointee.health_failures &+= 1
        guard Int(slot.pointee.health_failures) >= max(slots.topology.settings.healthCheckPasses, 1) else {
            return false
        }
        slot.pointee.health_failures = 0
        slot.pointee.errors = slot.pointee.errors &+ 1
        slot.setMemberState(.error)
        slot.setErrorTimes(first: now, last: now)
        return true
    }
}

extension Registry {
    /// Runs the active health checks when this process wins the election for this period (timer
    /// thread) and returns what to log. Probes run without the segment lock.
    @discardableResult
    public func runHealthChecksIfDue(now: Int64 = WallClock.seconds()) -> [String] {
        let intervals = balancers.map(\.configuredSettings.healthCheckInterval).filter { $0 > 0 }
        guard let interval = intervals.min(), let segment else { return [] }
        var messages: [String] = []
        let targets: [HealthCheck.Target] = segment.withLock { _ in
            guard now.subtractingClamped(segment.header.pointee.last_health_check) >= Int64(interval) else { return [] }
            segment.header.pointee.last_health_check = now
            var found: [HealthCheck.Target] = []
            for (index, lb) in balancers.enumerated() {
                if let slots = lb.slots { found += HealthCheck.targets(slots, balancer: index) }
            }
            return found
        }
        for target in targets {
            let lb = balancers[target.balancer]
            guard target.member < lb.endpoints.count, let endpoint = lb.endpoints[target.member] else { continue }
            let passed = Self.probe(endpoint, lb: lb)
            let changed = segment.withLock { _ in
                lb.slots.map { slots in
                    target.inService
                        ? HealthCheck.recordInService(passed, slots: slots, member: target.member, now: now)
                        : HealthCheck.record(passed, slots: slots, member: target.member)
                } ?? false
            }
            let passes = lb.configuredSettings.healthCheckPasses
            if changed && target.inService {
                messages.append("load balancer \(lb.name): member \(lb.memberNames[target.member]) failed "
                                + "\(passes) health check(s) in a row; in error until it answers again")
            } else if changed {
                messages.append("load balancer \(lb.name): member \(lb.memberNames[target.member]) answered "
                                + "\(passes) health check(s) in a row; back in rotation")
            }
        }
        return messages
    }

    /// The probe for a member of `lb`: a CPing on a fresh connection (connect and CPONG each within
    /// at most 2 s), plus a GET of `health_check_uri` when one is configured.
    static func probe(_ endpoint: AJPEndpoint, lb: LoadBalancerRuntime) -> Bool {
        let settings = lb.configuredSettings
        let plan = HealthProbe.Plan(uri: settings.healthCheckURI.map { Array($0.utf8) },
                                    expectedStatus: settings.healthCheckStatus)
        return HealthProbe.run(endpoint, plan: plan)
    }
}
