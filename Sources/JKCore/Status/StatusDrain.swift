/// Draining a member and knowing when it is finished (what HAProxy calls `drain`, with the done
/// signal no connector has): a drained member has activation DIS — no new sessions, its sticky
/// sessions still served, exactly mod_jk's `vwa=1` — and the drain is **done** when no request is in
/// flight on it and no request reached it through its session for `quiet` seconds.
public enum StatusDrain {
    /// Seconds without a sticky request before a drain counts as done, unless the request says.
    public static let defaultQuietSeconds = 10

    /// Where a member's drain stands.
    public struct Progress: Sendable, Equatable {
        /// The member is draining (activation DIS) or stopped.
        public var draining: Bool
        /// No request in flight and no sticky request for the quiet time.
        public var done: Bool
        /// Requests in flight on the member's worker.
        public var busy: Int
        /// Seconds since the last sticky request, nil when it never had one.
        public var lastStickyAgo: Int64?
        /// The quiet time applied.
        public var quietSeconds: Int
    }

    /// The drain progress of `member` at `now`.
    public static func progress(_ member: StatusSnapshot.Member, now: Int64, quietSeconds: Int) -> Progress {
        let ago = member.lastStickyTime > 0 ? now.subtractingClamped(member.lastStickyTime) : nil
        let quiet = ago.map { $0 >= Int64(quietSeconds) } ?? true
        let draining = member.activation != .active
        return Progress(draining: draining, done: draining && member.counters.busy == 0 && quiet,
                        busy: member.counters.busy, lastStickyAgo: ago, quietSeconds: quietSeconds)
    }

    /// The member's share of new sessions among the balancer's active members, in percent
    /// (lbfactor over the sum of the active members' lbfactors; 0 unless active and usable).
    public static func weightPercent(_ member: StatusSnapshot.Member, in lb: StatusSnapshot.Balancer) -> Double {
        func counts(_ m: StatusSnapshot.Member) -> Bool { m.activation == .active && m.state != .error }
        guard counts(member) else { return 0 }
        let total = lb.members.filter(counts).reduce(0) { $0 + max($1.lbfactor, 0) }
        return total > 0 ? Double(member.lbfactor) * 100 / Double(total) : 0
    }
}

extension MemberActivation {
    /// The name operators know from other balancers: `ready` (ACT), `drain` (DIS), `maint` (STP).
    public var operatorName: String {
        switch self {
        case .active: "ready"
        case .disabled: "drain"
        case .stopped: "maint"
        }
    }

    /// The activation an operator state name (or mod_jk letter/digit) stands for, nil when unknown.
    public init?(operatorName name: String) {
        switch name.lowercased() {
        case "ready", "act", "active", "enable", "0": self = .active
        case "drain", "dis", "disabled", "disable", "1": self = .disabled
        case "maint", "stp", "stopped", "stop", "2": self = .stopped
        default: return nil
        }
    }
}
