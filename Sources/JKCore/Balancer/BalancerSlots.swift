import CJKCore

/// One balancer's view of the shared segment: the slot array plus the topology that says which
/// slots belong to the lb, its members and their ajp workers. Every slot index was checked
/// against the segment when this value was made, so the accessors below cannot go out of bounds.
///
/// This is only a pair of pointers and a reference: make it once per process (after attaching the
/// segment) and keep it. Reading or writing any slot through it requires the segment lock
/// (ARCHITECTURE.md §3): every function that takes a `BalancerSlots` says so. That lock, not the
/// type system, is what makes sharing it between threads safe (hence `@unchecked Sendable`).
public struct BalancerSlots: @unchecked Sendable {
    /// The whole slot array of the segment.
    public let segment: UnsafeMutableBufferPointer<sjk_slot_t>
    /// The lb this view is about.
    public let topology: BalancerTopology

    /// A view of `segment` for `topology`; nil when any slot index of the topology is outside the
    /// segment (a configuration / segment mismatch that must not be able to trap a child).
    public init?(segment: UnsafeMutableBufferPointer<sjk_slot_t>, topology: BalancerTopology) {
        guard segment.baseAddress != nil, segment.indices.contains(topology.balancerSlot) else { return nil }
        for member in topology.members {
            guard segment.indices.contains(member.memberSlot), segment.indices.contains(member.workerSlot) else {
                return nil
            }
        }
        self.segment = segment
        self.topology = topology
    }

    /// A view whose indices were already checked against `segment` (a topology rebuilt from one
    /// that passed `init?(segment:topology:)` keeps the same slot indices).
    init(checked segment: UnsafeMutableBufferPointer<sjk_slot_t>, topology: BalancerTopology) {
        self.segment = segment
        self.topology = topology
    }

    /// Number of members.
    @inline(__always)
    public var memberCount: Int { topology.members.count }

    /// The lb worker's own slot (maintenance time, lb busy counters).
    @inline(__always)
    public var balancer: UnsafeMutablePointer<sjk_slot_t> {
        segment.baseAddress.unsafelyUnwrapped + topology.balancerSlot
    }

    /// The (lb, member) slot of `member`; `member` must be in `0..<memberCount` (callers inside the
    /// balancer only pass indices of their own loops; public entry points check first).
    @inline(__always)
    func member(_ member: Int) -> UnsafeMutablePointer<sjk_slot_t> {
        segment.baseAddress.unsafelyUnwrapped + topology.members[member].memberSlot
    }

    /// The ajp worker slot of `member`; same precondition as `member(_:)`.
    @inline(__always)
    func worker(_ member: Int) -> UnsafeMutablePointer<sjk_slot_t> {
        segment.baseAddress.unsafelyUnwrapped + topology.members[member].workerSlot
    }

    /// The (lb, member) slot of `member`, or nil when the index is not a member.
    public func memberSlot(_ member: Int) -> UnsafeMutablePointer<sjk_slot_t>? {
        topology.members.indices.contains(member) ? self.member(member) : nil
    }

    /// The ajp worker slot of `member`, or nil when the index is not a member.
    public func workerSlot(_ member: Int) -> UnsafeMutablePointer<sjk_slot_t>? {
        topology.members.indices.contains(member) ? worker(member) : nil
    }

    /// Writes the initial runtime values into the member slots and the lb slot: lbfactor, distance
    /// and activation from the configuration, `lb_mult` (§9.2), state OK/IDLE, `lb_value` 0, no
    /// errors, and the lb's `last_maintain_time = now` (as mod_jk's lb `init` does, so the first
    /// maintenance does not decay by "time since 1970"). Returns true when the lbfactor LCM
    /// overflowed (log it). Worker slots are not touched.
    ///
    /// - Precondition: the caller holds the segment lock, or the segment is not shared yet (parent
    ///   process before fork).
    @discardableResult
    public func initialize(now: Int64) -> Bool {
        for index in 0..<memberCount {
            let config = topology.members[index]
            let slot = member(index)
            slot.pointee.lb_value = 0
            slot.setErrorTimes(first: 0, last: 0)
            slot.storeMemberState(.idle)
            slot.pointee.activation = config.configuredActivation.slotValue
            slot.pointee.lbfactor = Int32(clamping: config.lbfactor)
            slot.pointee.distance = Int32(clamping: config.distance)
        }
        balancer.pointee.last_maintain_time = now
        return LBMultiplier.update(self)
    }
}
