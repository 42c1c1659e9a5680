/// Everything about one `lb` worker that is fixed at configuration time: its settings, its
/// members' routes, domains and redirects (as bytes), and which shared-memory slots hold the
/// runtime state (reference §9.1, §10.1).
///
/// Three kinds of slot are involved:
/// * the **balancer slot** (`sjk_slot_t` of the lb worker): `last_maintain_time`, `busy`, `max_busy`;
/// * one **member slot** per (lb, member) pair: `lb_value`, `lb_mult`, `state`, `activation`,
///   `lbfactor`, `distance`, error times, `sessions`, `errors`, `elected`, `elected_snapshot`;
/// * one **worker slot** per member's ajp worker (shared by every lb containing it and by a
///   standalone worker of the same name): `busy`, `max_busy`, `elected` (requests), `reply_timeouts`,
///   `bytes_read`, `bytes_written`.
///
/// Immutable and `Sendable`; views it hands out stay valid as long as the topology lives. A class,
/// so the request path passes it around with one reference instead of copying its arrays and strings.
/// (`@unchecked` only because it keeps byte views into its own string store, which is never
/// mutated after `init`.)
public final class BalancerTopology: @unchecked Sendable {
    /// What the caller supplies about one member.
    public struct MemberInput: Sendable {
        /// The member's worker name (used in messages and by `active=`/`disabled=`/`stopped=`).
        public var name: String
        /// The member's settings (lbfactor, distance, route, domain, redirect, activation, busy_limit).
        public var settings: AJPWorkerSettings
        /// Index of its (lb, member) slot in the segment.
        public var memberSlot: Int
        /// Index of its ajp worker slot in the segment.
        public var workerSlot: Int

        /// Creates a member description.
        public init(name: String, settings: AJPWorkerSettings, memberSlot: Int, workerSlot: Int) {
            self.name = name
            self.settings = settings
            self.memberSlot = memberSlot
            self.workerSlot = workerSlot
        }
    }

    /// One member as the balancer sees it.
    public struct Member: Sendable {
        /// The member's worker name.
        public let name: String
        /// `activation` from the configuration (the slot holds the runtime value).
        public let configuredActivation: MemberActivation
        /// `lbfactor` from the configuration (the slot holds the runtime value).
        public let lbfactor: Int
        /// `distance` from the configuration (the slot holds the runtime value).
        public let distance: Int
        /// `busy_limit`: maximum concurrent requests across all processes, 0 = none.
        public let busyLimit: Int
        /// Index of the (lb, member) slot.
        public let memberSlot: Int
        /// Index of the member's ajp worker slot.
        public let workerSlot: Int
        /// The member whose **route** equals this member's `redirect` (mod_jk's `find_by_session`
        /// of the redirect), or nil when there is no redirect or it names no route.
        public let redirectTarget: Int?
        /// True when `redirect` is set (even if it names no route).
        public let hasRedirect: Bool
        /// Where the route bytes are stored.
        let route: BalancerStrings.Handle
        /// Where the domain bytes are stored.
        let domain: BalancerStrings.Handle
        /// Where the redirect bytes are stored.
        let redirect: BalancerStrings.Handle
        /// Where the Set-Cookie value (plain request) is stored.
        let cookie: BalancerStrings.Handle
        /// Where the Set-Cookie value (TLS request, with `;Secure`) is stored.
        let secureCookie: BalancerStrings.Handle
    }

    /// The lb's settings.
    public let settings: LoadBalancerSettings
    /// The members, in `balance_workers` order.
    public let members: [Member]
    /// Index of the lb worker's own slot.
    public let balancerSlot: Int
    /// `worker.maintain`, seconds; 0 disables maintenance.
    public let maintainInterval: Int
    /// The first member that has a `redirect` (mod_jk's `find_failover_worker` uses its redirect
    /// when no member is usable), or nil.
    public let failoverMember: Int?
    /// The lbfactor multipliers computed from the configuration (for logging the overflow case).
    public let multipliers: LBMultiplier.Result
    /// The largest member max_packet_size (buffer size for FORWARD_REQUEST).
    public let packetSize: Int
    /// The smallest member max_packet_size: the replayed first body packet fits every member.
    public let firstPacketSize: Int
    private let strings: BalancerStrings
    /// Each member's route as a view of `strings`, made once: the sticky path compares routes on
    /// every request.
    private let routes: [UnsafeRawBufferPointer]
    /// `routes` hashed, so finding a session's member does not grow with the farm.
    private let routeIndex: RouteIndex
    /// The lb's `session_cookie` name bytes.
    public let sessionCookieName: UnsafeRawBufferPointer
    /// The lb's `session_path` name bytes.
    public let sessionPathName: UnsafeRawBufferPointer

    /// Builds the topology of an lb (configuration time; allocates).
    public init(settings: LoadBalancerSettings, members inputs: [MemberInput], balancerSlot: Int,
                maintainInterval: Int) {
        var strings: [[UInt8]] = []
        for input in inputs {
            let route = Array(input.settings.route.utf8)
            strings.append(route)
            strings.append(Array(input.settings.domain.utf8))
            strings.append(Array(input.settings.redirect.utf8))
            // Set-Cookie: <session_cookie>=.<route>[;PATH=<path>];HttpOnly[;Secure] (§9.5.6)
            var cookie = Array(settings.sessionCookie.utf8) + Array("=.".utf8) + route
            if !settings.sessionCookiePath.isEmpty { cookie += Array(";PATH=\(settings.sessionCookiePath)".utf8) }
            cookie += Array(";HttpOnly".utf8)
            strings.append(cookie)
            strings.append(cookie + Array(";Secure".utf8))
        }
        strings.append(Array(settings.sessionCookie.utf8))
        strings.append(Array(settings.sessionPath.utf8))
        var handles: [BalancerStrings.Handle] = []
        let store = BalancerStrings(strings, handles: &handles)
        var members: [Member] = []
        members.reserveCapacity(inputs.count)
        for (index, input) in inputs.enumerated() {
            let base = index * 5
            let redirect = input.settings.redirect
            members.append(Member(
                name: input.name, configuredActivation: input.settings.activation,
                lbfactor: input.settings.lbfactor, distance: input.settings.distance,
                busyLimit: input.settings.busyLimit, memberSlot: input.memberSlot, workerSlot: input.workerSlot,
                redirectTarget: redirect.isEmpty ? nil : inputs.firstIndex { $0.settings.route == redirect },
                hasRedirect: !redirect.isEmpty,
                route: handles[base], domain: handles[base + 1], redirect: handles[base + 2],
                cookie: handles[base + 3], secureCookie: handles[base + 4]))
        }
        self.settings = settings
        self.members = members
        self.balancerSlot = balancerSlot
        self.maintainInterval = max(maintainInterval, 0)
        self.failoverMember = inputs.firstIndex { !$0.settings.redirect.isEmpty }
        self.multipliers = LBMultiplier.multipliers(lbfactors: inputs.map(\.settings.lbfactor))
        self.packetSize = inputs.map(\.settings.maxPacketSize).max() ?? 8192
        self.firstPacketSize = inputs.map(\.settings.maxPacketSize).min() ?? 8192
        self.strings = store
        let routes = members.map { store.bytes($0.route) }
        self.routes = routes
        self.routeIndex = RouteIndex(routes: routes)
        self.sessionCookieName = store.bytes(handles[inputs.count * 5])
        self.sessionPathName = store.bytes(handles[inputs.count * 5 + 1])
    }

    /// Number of members.
    @inline(__always)
    public var memberCount: Int { members.count }

    /// The member's `route` bytes (what follows the `.` in a session id), valid while the topology
    /// lives; empty for an index out of range.
    public func route(of member: Int) -> UnsafeRawBufferPointer {
        routes.indices.contains(member) ? routes[member] : strings.bytes(.init(offset: 0, count: 0))
    }

    /// The member's `domain` bytes (configured, or the part of the route before its first `.`).
    public func domain(of member: Int) -> UnsafeRawBufferPointer {
        strings.bytes(members.indices.contains(member) ? members[member].domain : .init(offset: 0, count: 0))
    }

    /// The member's `redirect` bytes (a **route**, not a name).
    public func redirect(of member: Int) -> UnsafeRawBufferPointer {
        strings.bytes(members.indices.contains(member) ? members[member].redirect : .init(offset: 0, count: 0))
    }

    /// The exact `Set-Cookie` header value for a request routed (not by session) to `member`:
    /// `<session_cookie>=.<route>;PATH=<session_cookie_path>;HttpOnly`, plus `;Secure` when the
    /// request came over TLS; the `;PATH=` part is left out when the path is empty (§9.5.6). Name
    /// and path are the lb's even when a rule extension switched the cookie on, as in mod_jk.
    public func sessionCookieValue(member: Int, secure: Bool) -> UnsafeRawBufferPointer {
        guard members.indices.contains(member) else { return strings.bytes(.init(offset: 0, count: 0)) }
        return strings.bytes(secure ? members[member].secureCookie : members[member].cookie)
    }

    /// The index of the member whose route equals `route` exactly (case-sensitive), the first if
    /// several do (mod_jk's `find_by_session`, which scans; this looks it up in `routeIndex`).
    public func member(withRoute route: UnsafeRawBufferPointer) -> Int? {
        routeIndex.member(withRoute: route, in: routes)
    }
}
