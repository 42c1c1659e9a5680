/// From a session route to a member (reference §9.5.2, §9.5.3): mod_jk 1.2.48's
/// `find_by_session`, `find_best_bydomain`, `find_bysession_route` and `find_failover_worker`.
///
/// For a route `r` (the part of a session id candidate after its first `.`):
/// 1. the member whose **route** equals `r` exactly (case-sensitive; a configured route replaces
///    the member name, so `x.tomcat2` does not reach worker tomcat2 whose route is node2). Found ⇒
///    the request is "sticky".
/// 2. otherwise the **domain** `r` up to its first `.`: among members with that domain that are
///    usable for new requests, the lowest distance, then the lowest `lb_value` (first in member
///    order on ties). The route note becomes that domain.
/// 3. a member found in 1 or 2 that cannot serve its sessions (ERR, BUSY, PRB, or Stopped) makes
///    the request non-sticky, and
///    * with `sticky_session_force` there is no member;
///    * else if it has a `redirect`: the member whose route equals the redirect (route note reset);
///    * else if it has a domain and 2 was not used: the best usable member of that domain (route
///      note = that domain);
///    * the substitute must itself be able to serve sessions, else there is no member.
///
/// "Route note" is mod_jk's `s->route`: what the AJP route attribute and `JK_WORKER_ROUTE` will say
/// (§9.5.4). It is set here only in the domain and redirect cases; otherwise the service sets it
/// to the route of the first member it picks and never changes it again.
public enum RouteResolver {
    /// What `s->route` holds: where the route attribute's bytes come from.
    public enum RouteNote: Equatable, Sendable {
        /// Not set yet (mod_jk's NULL).
        case unset
        /// The `JK_ROUTE` environment value.
        case environment
        /// The route of a member.
        case memberRoute(Int)
        /// The domain of a member (the request was routed by domain).
        case memberDomain(Int)
    }

    /// The result of resolving a session route.
    public struct Resolution: Equatable, Sendable {
        /// The member, or nil.
        public var member: Int?
        /// True when the member was found by its exact route and can serve the session.
        public var sticky: Bool
    }

    /// `find_best_bydomain`: the best member usable for new requests whose non-empty `domain`
    /// equals `routeOrDomain` up to its first `.`; lowest distance, then lowest `lb_value`.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func bestMember(inDomainOf routeOrDomain: UnsafeRawBufferPointer, view: SelectionView) -> Int? {
        let dot = routeOrDomain.firstIndex(of: UInt8(ascii: ".")) ?? routeOrDomain.count
        let domain = UnsafeRawBufferPointer(rebasing: routeOrDomain[..<dot])
        var candidate: Int?
        var bestDistance: Int32 = 0
        var bestValue: UInt64 = 0
        for member in 0..<view.memberCount {
            let memberDomain = view.topology.domain(of: member)
            guard memberDomain.count > 0, ByteCompare.equal(memberDomain, domain), view.isUsable(member) else {
                continue
            }
            let distance = view.distance(member)
            let value = view.lbValue(member)
            if candidate == nil || distance < bestDistance || (value < bestValue && distance == bestDistance) {
                candidate = member
                bestDistance = distance
                bestValue = value
            }
        }
        return candidate
    }

    /// `find_bysession_route`: the member for one session route, updating the route note.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func resolve(route: UnsafeRawBufferPointer, view: SelectionView, note: inout RouteNote)
        -> Resolution {
        let topology = view.topology
        var usesDomain = false
        var sticky = false
        var found = topology.member(withRoute: route)
        if found == nil {
            usesDomain = true
            found = bestMember(inDomainOf: route, view: view)
        } else {
            sticky = true
        }
        guard var candidate = found else { return Resolution(member: nil, sticky: sticky) }
        if usesDomain { note = .memberDomain(candidate) }
        if view.isUsableForSessions(candidate) { return Resolution(member: candidate, sticky: sticky) }

        // The session's member cannot serve it: no longer sticky; look for a substitute.
        sticky = false
        let original = candidate
        var substitute: Int?
        if topology.settings.stickySessionForce {
            substitute = nil
        } else if topology.members[original].hasRedirect {
            substitute = topology.members[original].redirectTarget
            note = .unset
        } else if topology.domain(of: original).count > 0, !usesDomain {
            substitute = bestMember(inDomainOf: topology.domain(of: original), view: view)
            note = substitute == nil ? .unset : .memberDomain(original)
        } else {
            // No way out: mod_jk keeps the unusable candidate here and rejects it just below.
            substitute = original
        }
        guard let chosen = substitute, view.isUsableForSessions(chosen) else {
            return Resolution(member: nil, sticky: false)
        }
        candidate = chosen
        return Resolution(member: candidate, sticky: false)
    }

    /// All candidates of a session id in order (the first that yields a member wins), as in
    /// `get_most_suitable_worker`.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func resolve(session: SessionID, view: SelectionView, note: inout RouteNote) -> Resolution {
        var result = Resolution(member: nil, sticky: false)
        session.forEachRoute { route in
            let resolution = resolve(route: route, view: view, note: &note)
            guard resolution.member != nil else { return false }
            result = resolution
            return true
        }
        return result
    }

    /// `find_failover_worker`: when no member is usable for new requests, the `redirect` of the first
    /// member that has one, resolved like a session route — which may reach a **Disabled** hot
    /// standby. Never sticky.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func failover(view: SelectionView, note: inout RouteNote) -> Int? {
        guard let member = view.topology.failoverMember else { return nil }
        return resolve(route: view.topology.redirect(of: member), view: view, note: &note).member
    }
}
