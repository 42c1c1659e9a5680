import CJKCore

/// Active health checks (SwiftJK; lb `health_check_interval`, `health_check_passes`): one process,
/// elected through the segment header, probes every member in ERR with a CPing on a fresh
/// connection; after `health_check_passes` consecutive CPONGs the member is back in rotation
/// (OK/IDLE) without a user request serving as the probe. Its `lb_value` is set to the current
/// maximum, as mod_jk's recovery does, so the rejoined member is not flooded with new sessions.
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
    }

    /// The members in ERR of `slots`' lb (with checks on).
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func targets(_ slots: BalancerSlots, balancer: Int) -> [Target] {
        guard slots.topology.settings.healthCheckInterval > 0 else { return [] }
        var result: [Target] = []
        for member in 0..<slots.memberCount {
            if MemberState(slotValue: slots.member(member).pointee.state) == .error {
                result.append(Target(balancer: balancer, member: member))
            } else {
                slots.member(member).pointee.health_passes = 0
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
        slot.pointee.first_error_time = 0
        slot.pointee.last_error_time = 0
        slot.setMemberState(.idle)
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
            let passed = Self.probe(endpoint)
            let rejoined = segment.withLock { _ in
                lb.slots.map { HealthCheck.record(passed, slots: $0, member: target.member) } ?? false
            }
            if rejoined {
                messages.append("load balancer \(lb.name): member \(lb.memberNames[target.member]) answered "
                                + "\(lb.configuredSettings.healthCheckPasses) health check(s) in a row; back in rotation")
            }
        }
        return messages
    }

    /// A CPing on a fresh connection: connect (connect timeout, at most 2 s) and a CPONG within the
    /// ping timeout (at most 2 s). The connection is closed afterwards.
    static func probe(_ endpoint: AJPEndpoint) -> Bool {
        let state = endpoint.state.current
        guard let address = state.address else { return false }
        let settings = state.settings
        let connectTimeout = settings.connectTimeoutMs > 0 ? min(settings.connectTimeoutMs, 2000) : 2000
        let (fd, _) = BackendSocket.connect(to: address, timeoutMs: connectTimeout, keepAlive: false,
                                            socketTimeoutSeconds: 0, bufferSize: 0)
        guard fd >= 0 else { return false }
        let connection = AJPConnection(fd: fd, maxPacketSize: settings.maxPacketSize)
        defer { connection.close() }
        let pingTimeout = settings.pingTimeoutMs > 0 ? min(settings.pingTimeoutMs, 2000) : 2000
        return connection.ping(timeoutMs: pingTimeout)
    }
}
