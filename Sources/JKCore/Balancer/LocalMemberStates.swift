/// The per-request copy of the member states (mod_jk's `states[]` in the lb `service`), kept in
/// memory the caller provides (one `Int32` per member, e.g. from `withUnsafeTemporaryAllocation`),
/// so that a request allocates nothing.
///
/// Selection reads these, not the shared states: a member that failed **for this request** is
/// marked `error` here ("local error") while its shared state may stay OK, so the request moves on
/// and other requests are unaffected. The copy is refreshed from shared memory at the start of the
/// request and at the start of every further round (§9.7).
public struct LocalMemberStates {
    /// The caller's storage; only the first `count` elements are used.
    public let storage: UnsafeMutableBufferPointer<Int32>
    /// Number of members.
    public let count: Int

    /// Uses `storage` for `memberCount` members; nil when it is too small.
    public init?(storage: UnsafeMutableBufferPointer<Int32>, memberCount: Int) {
        guard memberCount >= 0, storage.count >= memberCount else { return nil }
        self.storage = storage
        self.count = memberCount
        for index in 0..<memberCount { storage[index] = MemberState.idle.slotValue }
    }

    /// The local state of `member`; `error` for an index that is not a member.
    public subscript(member: Int) -> MemberState {
        get {
            guard member >= 0, member < count else { return .error }
            return MemberState(slotValue: storage[member])
        }
        nonmutating set {
            guard member >= 0, member < count else { return }
            storage[member] = newValue.slotValue
        }
    }

    /// Copies every member's shared state into the local copy (a new round).
    ///
    /// - Precondition: the caller holds the segment lock.
    public func copy(from slots: BalancerSlots) {
        for member in 0..<min(count, slots.memberCount) {
            storage[member] = MemberState(slotValue: slots.member(member).pointee.state).slotValue
        }
    }
}

extension LocalMemberStates {
    /// Storage the caller guarantees to hold at least `memberCount` elements.
    init(uncheckedStorage storage: UnsafeMutableBufferPointer<Int32>, memberCount: Int) {
        self.storage = storage
        self.count = min(max(memberCount, 0), storage.count)
        for index in 0..<count { storage[index] = MemberState.idle.slotValue }
    }
}
