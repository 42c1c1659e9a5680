import CJKCore

/// The runtime state of one lb member (reference §9.8), stored as `sjk_slot_t.state` with mod_jk's
/// numeric codes (`SJK_STATE_*`).
///
/// | Case | Code | Status text | New requests | Sticky requests |
/// |---|---|---|---|---|
/// | `idle` | 0 | `OK/IDLE` | yes | yes |
/// | `ok` | 1 | `OK` | yes | yes |
/// | `recover` | 2 | `ERR/REC` | yes | yes |
/// | `forced` | 3 | `ERR/FRC` | yes | yes |
/// | `busy` | 4 | `OK/BUSY` | no | no |
/// | `error` | 5 | `ERR` | no | no |
/// | `probe` | 6 | `ERR/PRB` | no | no |
public enum MemberState: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// `SJK_STATE_IDLE`, OK/IDLE: no request since the last maintenance (also the initial state).
    case idle = 0
    /// `SJK_STATE_OK`, OK: working.
    case ok = 1
    /// `SJK_STATE_RECOVER`, ERR/REC: recover_time elapsed; the next request that picks it probes it.
    case recover = 2
    /// `SJK_STATE_FORCED`, ERR/FRC: in error, but forced back into use because nothing was usable.
    case forced = 3
    /// `SJK_STATE_BUSY`, OK/BUSY: no free pool endpoint or busy_limit reached.
    case busy = 4
    /// `SJK_STATE_ERROR`, ERR: not used until maintenance offers it for recovery.
    case error = 5
    /// `SJK_STATE_PROBE`, ERR/PRB: a request is probing it right now.
    case probe = 6

    /// The state stored in a slot. A value that is not a known code (a corrupted or foreign
    /// segment) reads as `error`, so the member is never used on the strength of garbage.
    @inline(__always)
    public init(slotValue: Int32) {
        self = MemberState(rawValue: slotValue) ?? .error
    }

    /// The value stored in `sjk_slot_t.state`.
    @inline(__always)
    public var slotValue: Int32 { rawValue }

    /// True for OK/IDLE, OK, ERR/REC and ERR/FRC: the states in which a member may take requests
    /// (mod_jk's `state <= JK_LB_STATE_FORCE`). Activation decides the rest (`SelectionView`).
    @inline(__always)
    public var acceptsRequests: Bool { rawValue <= MemberState.forced.rawValue }

    /// True for the error states ERR, ERR/REC, ERR/FRC and ERR/PRB: leaving one for OK is a return
    /// to service (slow start).
    @inline(__always)
    public var isError: Bool {
        switch self {
        case .error, .recover, .forced, .probe: true
        case .idle, .ok, .busy: false
        }
    }

    /// The text the status worker shows (`OK/IDLE`, `ERR/REC`, ...).
    public var description: String {
        switch self {
        case .idle: "OK/IDLE"
        case .ok: "OK"
        case .recover: "ERR/REC"
        case .forced: "ERR/FRC"
        case .busy: "OK/BUSY"
        case .error: "ERR"
        case .probe: "ERR/PRB"
        }
    }
}

extension MemberActivation {
    /// The activation stored in a slot (`SJK_ACTIVATION_*`). An unknown value reads as `active`,
    /// the value mod_jk gives any activation it does not recognise.
    @inline(__always)
    public init(slotValue: Int32) {
        switch slotValue {
        case Int32(SJK_ACTIVATION_DISABLED): self = .disabled
        case Int32(SJK_ACTIVATION_STOPPED): self = .stopped
        default: self = .active
        }
    }

    /// The value stored in `sjk_slot_t.activation`.
    public var slotValue: Int32 {
        switch self {
        case .active: Int32(SJK_ACTIVATION_ACTIVE)
        case .disabled: Int32(SJK_ACTIVATION_DISABLED)
        case .stopped: Int32(SJK_ACTIVATION_STOPPED)
        }
    }

    /// The `JK_LB_ACTIVATION` request attribute value sent to the backend: `ACT`, `DIS` or `STP`.
    public var attributeText: StaticString {
        switch self {
        case .active: "ACT"
        case .disabled: "DIS"
        case .stopped: "STP"
        }
    }
}

extension UnsafeMutablePointer where Pointee == sjk_slot_t {
    /// Stores a member's new state; a change other than between OK/IDLE and OK also records the
    /// time in `state_changed_at` (the "last state change" operators see).
    ///
    /// - Precondition: the caller holds the segment lock.
    @inline(__always)
    func setMemberState(_ state: MemberState) {
        let old = pointee.state
        guard old != state.slotValue else { return }
        storeMemberState(state)
        let wasUsable = old == MemberState.idle.rawValue || old == MemberState.ok.rawValue
        let isUsable = state == .idle || state == .ok
        if wasUsable && isUsable { return }
        let now = WallClock.seconds()
        pointee.state_changed_at = now
        if isUsable, MemberState(slotValue: old).isError { pointee.in_service_since = now }
    }

    /// Stores a member's state as it is, recording no state change (initialisation, status-worker
    /// resets); `setMemberState` is the transition. Atomic, because `isCleanOK` reads it without
    /// the segment lock.
    ///
    /// - Precondition: the caller holds the segment lock.
    @inline(__always)
    func storeMemberState(_ state: MemberState) {
        sjk_atomic_store_i32(&pointee.state, state.slotValue)
    }

    /// Stores a member's error times (0: none). `state` and both times are stored atomically,
    /// because `isCleanOK` reads them without the segment lock.
    ///
    /// - Precondition: the caller holds the segment lock.
    @inline(__always)
    func setErrorTimes(first: Int64, last: Int64) {
        sjk_atomic_store_i64(&pointee.first_error_time, first)
        sjk_atomic_store_i64(&pointee.last_error_time, last)
    }

    /// True when the member is OK with no error time recorded: a successful attempt would change
    /// nothing in it. Safe without the segment lock (atomic loads); the answer may be stale by
    /// the time it is used, which is the same as the success having been applied just before.
    @inline(__always)
    var isCleanOK: Bool {
        sjk_atomic_load_i32(&pointee.state) == MemberState.ok.slotValue
            && sjk_atomic_load_i64(&pointee.first_error_time) == 0
            && sjk_atomic_load_i64(&pointee.last_error_time) == 0
    }
}
