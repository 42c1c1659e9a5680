/// What member selection looks at for one request: the shared slots (live `lb_value`, runtime
/// `distance` and `activation`), the request's local states, and the rule's activation overrides.
///
/// "Effective" values (§9.4): the activation is the rule override if there is one, else the slot's;
/// the state is the **local** copy (members that already failed for this request are `error`).
///
/// Every accessor reads shared memory: the caller holds the segment lock while using a view.
public struct SelectionView {
    /// The balancer's slots.
    public let slots: BalancerSlots
    /// The request's local states.
    public let states: LocalMemberStates
    /// The rule's activation overrides (`ActivationOverrides.none` when it has none). Not optional:
    /// copying an `ActivationOverrides?` built that type's metadata at run time, in every httpd
    /// child on its first balanced request.
    public let overrides: ActivationOverrides

    /// Creates a view.
    public init(slots: BalancerSlots, states: LocalMemberStates, overrides: ActivationOverrides = .none) {
        self.slots = slots
        self.states = states
        self.overrides = overrides
    }

    /// Number of members.
    @inline(__always)
    public var memberCount: Int { min(slots.memberCount, states.count) }

    /// The topology.
    @inline(__always)
    public var topology: BalancerTopology { slots.topology }

    /// The effective activation of `member`: the rule override, else the slot's runtime value
    /// (`stopped` for an index that is not a member).
    @inline(__always)
    public func activation(_ member: Int) -> MemberActivation {
        if let override = overrides[member] { return override }
        guard let slot = slots.memberSlot(member) else { return .stopped }
        return MemberActivation(slotValue: slot.pointee.activation)
    }

    /// The local state of `member`.
    @inline(__always)
    public func state(_ member: Int) -> MemberState { states[member] }

    /// The runtime distance of `member` (lower is preferred); `Int32.max` for a non-member index.
    @inline(__always)
    public func distance(_ member: Int) -> Int32 { slots.memberSlot(member)?.pointee.distance ?? Int32.max }

    /// The live load value of `member`; `UInt64.max` for a non-member index.
    @inline(__always)
    public func lbValue(_ member: Int) -> UInt64 { slots.memberSlot(member)?.pointee.lb_value ?? UInt64.max }

    /// mod_jk's `JK_WORKER_USABLE`: may take **new** requests — state OK/IDLE, OK, ERR/REC or
    /// ERR/FRC, and activation Active.
    @inline(__always)
    public func isUsable(_ member: Int) -> Bool {
        state(member).acceptsRequests && activation(member) == .active
    }

    /// mod_jk's `JK_WORKER_USABLE_STICKY`: may take requests for **its own sessions** — the same
    /// states, and activation not Stopped (Disabled members still serve their sessions).
    @inline(__always)
    public func isUsableForSessions(_ member: Int) -> Bool {
        state(member).acceptsRequests && activation(member) != .stopped
    }
}
