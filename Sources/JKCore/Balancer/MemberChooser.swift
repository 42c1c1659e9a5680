/// Picks the member for one attempt (reference §9.4, §9.5.2): mod_jk 1.2.48's
/// `get_most_suitable_worker` and `find_best_byvalue`.
///
/// ## Terms
///
/// * **lbfactor** — the configured weight of a member (default 1).
/// * **lb_mult** — `lcm(all lbfactors) / lbfactor` (`LBMultiplier`): the cost of one unit of work
///   on that member. A heavier member has a smaller multiplier.
/// * **lb_value** — the member's load counter in shared memory. Each unit of work adds `lb_mult`
///   (`LoadCharging`; what a unit is depends on the method); maintenance halves it per elapsed
///   `worker.maintain` period (`BalancerMaintenance`).
/// * **distance** — lower is preferred outright: a member at a higher distance is used only when
///   no member at a lower distance is usable.
/// * **next_offset** — a per-process rotating start index (the caller's `inout Int`). The scan
///   starts there and wraps; ties on (distance, lb_value) go to the first member in scan order, and
///   whenever the pick changes `next_offset` becomes the picked index + 1.
/// * **usable** — effective state OK/IDLE, OK, ERR/REC or ERR/FRC, effective activation Active
///   (rule overrides first; members that failed for this request are locally ERR).
///
/// The chosen member is the usable member with the lowest distance, then the lowest `lb_value`,
/// first in rotation order on ties. A **stateless** request compares distance only (first usable
/// member in rotation order at the lowest distance). When nothing is usable, the `redirect` of the
/// first member that has one is resolved like a session route (it may be a Disabled hot standby).
///
/// ## Worked schedules (method Request: every attempt adds lb_mult to the chosen member)
///
/// Each schedule starts from lb_value 0 everywhere and next_offset 0; each line is one request
/// (one process, no failures). `[a b]` are the lb_values **before** the choice. Every schedule below
/// is asserted exactly by `MemberChooserTests`.
///
/// **Equal weights**, A and B (lbfactor 1 1 ⇒ mult 1 1):
///
///     request  values  offset  scan   pick  next_offset
///     1        [0 0]   0       A B    A     1
///     2        [1 0]   1       B A    B     2
///     3        [1 1]   2≡0     A B    A     1
///     4        [2 1]   1       B A    B     2
///     ⇒ A B A B …
///
/// **1:3** — r1 lbfactor 1, r3 lbfactor 3 ⇒ lcm 3, mult 3 and 1 (T45: 40 requests ⇒ exactly 10 to
/// r1 and 30 to r3):
///
///     request  values  pick        request  values  pick
///     1        [0 0]   r1          5        [3 3]   r1
///     2        [3 0]   r3          6        [6 3]   r3
///     3        [3 1]   r3          7        [6 4]   r3
///     4        [3 2]   r3          8        [6 5]   r3
///     ⇒ r1 r3 r3 r3, repeating every 4 requests: 10 of 40 to r1, 30 of 40 to r3.
///
/// **One member disabled** — A B C equal, B Disabled (not usable for new requests; its lb_value
/// stays 0 and does not matter):
///
///     request  values    offset  pick        request  values    offset  pick
///     1        [0 0 0]   0       A           3        [1 0 1]   0       A
///     2        [1 0 0]   1       C           4        [2 0 1]   1       C
///     ⇒ A C A C … (B gets nothing; its sessions would still reach it)
///
/// **Weights 1 1 1 2** — A B C D, lcm 2 ⇒ mult 2 2 2 1:
///
///     request  values      offset  pick        request  values      offset  pick
///     1        [0 0 0 0]   0       A           6        [2 2 2 2]   0       A
///     2        [2 0 0 0]   1       B           7        [4 2 2 2]   1       B
///     3        [2 2 0 0]   2       C           8        [4 4 2 2]   2       C
///     4        [2 2 2 0]   3       D           9        [4 4 4 2]   3       D
///     5        [2 2 2 1]   4≡0     D           10       [4 4 4 3]   4≡0     D
///     ⇒ A B C D D, repeating every 5 requests: D gets 2 of 5, the others 1 of 5 each.
///
/// **Distance tiers** (T58) — d1 distance 1, d2 distance 0:
///
///     every request: d2 (distance 0 beats any lb_value at distance 1)
///     d2 Stopped:    d1 for every request
///
/// **Stateless**, A and B equal: lb_values are ignored, the first usable member in rotation order
/// wins, and next_offset moves past it, so stateless requests alternate A B A B as well — even
/// when A's lb_value is far higher.
public enum MemberChooser {
    /// A chosen member.
    public struct Choice: Equatable, Sendable {
        /// The member index.
        public var member: Int
        /// True when chosen by its exact session route and able to serve the session (mod_jk's
        /// `s->sticky`); false for balanced, domain, redirect and failover choices.
        public var sticky: Bool
    }

    /// `find_best_byvalue`: the usable member with the lowest distance, then (unless `stateless`)
    /// the lowest `lb_value`, scanning from `nextOffset` and wrapping; updates `nextOffset`.
    ///
    /// - Precondition: the caller holds the segment lock (`lb_value` is read from shared memory;
    ///   `nextOffset` is per process and guarded by the same lock).
    public static func bestByValue(view: SelectionView, stateless: Bool, nextOffset: inout Int) -> Int? {
        let count = view.memberCount
        guard count > 0 else { return nil }
        let offset = normalized(nextOffset, count)
        var candidate: Int?
        var bestDistance: Int32 = 0
        var bestValue: UInt64 = 0
        for step in 0..<count {
            let member = (offset + step) % count
            guard view.isUsable(member) else { continue }
            let distance = view.distance(member)
            let value = view.lbValue(member)
            if candidate == nil || distance < bestDistance
                || (!stateless && value < bestValue && distance == bestDistance) {
                candidate = member
                bestDistance = distance
                bestValue = value
                nextOffset = member + 1
            }
        }
        return candidate
    }

    /// `get_most_suitable_worker`: the member for the next attempt of a request.
    ///
    /// 1. A one-member lb: the member if it can serve sessions and is not Disabled (always sticky,
    ///    sessions ignored); nothing if it cannot serve sessions; a Disabled one falls through.
    /// 2. With a session id: its candidates in order (`RouteResolver`); the first that yields a
    ///    member wins. None and `sticky_session_force` ⇒ nothing.
    /// 3. Otherwise `bestByValue`, and when nothing is usable, failover by redirect.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func choose(view: SelectionView, session: SessionID?, stateless: Bool, nextOffset: inout Int,
                              note: inout RouteResolver.RouteNote) -> Choice? {
        if view.memberCount == 1 {
            guard view.isUsableForSessions(0) else { return nil }
            if view.activation(0) != .disabled { return Choice(member: 0, sticky: true) }
        }
        if let session {
            let resolution = RouteResolver.resolve(session: session, view: view, note: &note)
            if let member = resolution.member { return Choice(member: member, sticky: resolution.sticky) }
            if view.topology.settings.stickySessionForce { return nil }
        }
        if let member = bestByValue(view: view, stateless: stateless, nextOffset: &nextOffset) {
            return Choice(member: member, sticky: false)
        }
        return RouteResolver.failover(view: view, note: &note).map { Choice(member: $0, sticky: false) }
    }

    /// `offset` reduced into `0..<count` (the caller's integer may hold anything).
    @inline(__always)
    static func normalized(_ offset: Int, _ count: Int) -> Int {
        let remainder = offset % count
        return remainder < 0 ? remainder + count : remainder
    }
}
