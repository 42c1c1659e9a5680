import CJKCore

/// The retry/failover loop of an lb for one request (reference §9.7) as a sans-I/O state machine:
/// mod_jk 1.2.48's lb `service`. The I/O driver asks what to do, does it, and reports back.
///
/// ```
///                    ┌──────────── sleep(ms) ◀──────┐ (round over, more rounds left)
///                    ▼                              │
///   init ──▶ nextAttempt ──▶ tryMember(m) ──▶ [driver gets a pool endpoint for m]
///                    │                              │ none: attemptFinished(.noFreeEndpoint)
///                    │                              ▼
///                    │                       exchangeStarting() ── false (busy_limit) ──▶ nextAttempt
///                    │                              │ true
///                    │                              ▼
///                    │                       [driver runs the AJP exchange, ajp retries inside]
///                    │                              ▼
///                    │                       attemptFinished(report) ── tryAnother ──▶ nextAttempt
///                    │                              │ finished (success / unrecoverable)
///                    ▼                              ▼
///              giveUp(status)                     done
/// ```
///
/// Rules (all as mod_jk):
/// * A **round** tries at most `min(lb_retries, members)` attempts; after it, if fewer than
///   `retries` rounds have run, sleep `retry_interval` ms, re-read every member's shared state
///   (dropping this request's local error marks) and start the next round; otherwise give up with
///   the last attempt's status.
/// * A member that failed for this request is locally ERR: not tried again in the same round.
/// * When no member can be chosen, once per request every ERR member is forced to ERR/FRC and the
///   choice is retried at once without using up an attempt; after that, a choice that finds no
///   member uses up an attempt with status 503.
/// * With `sticky_session_force`, a session whose member is unusable finds no member, so the
///   request ends with 503 after the forced-recovery retry (T52).
/// * The route note (AJP route attribute, `JK_WORKER_ROUTE`) is `JK_ROUTE` if set, else the route
///   of the **first** member chosen — kept on failover (T51) — except that a domain or redirect
///   resolution rewrites it (§9.5.2), exactly like mod_jk's `s->route`.
/// * An attempt that was not routed by session (`viaSession` false) adds the routing cookie when
///   `set_session_cookie` is on (`BalancerTopology.sessionCookieValue`). mod_jk appends one
///   `Set-Cookie` per such attempt to the response headers, so a failover answer carries several;
///   the driver reproduces that by appending one per attempt with `setsSessionCookie`.
///
/// ## Locking
/// `init`, `nextAttempt`, `exchangeStarting` and `attemptFinished` read and write shared slots: call
/// each with the segment lock held, and release it in between (getting a pool endpoint, the
/// exchange and the sleep happen without the lock). `finishedWithoutLock` is the one exception:
/// it needs no lock and says when it cannot finish alone. Nothing here blocks or allocates.
public struct BalancerService {
    /// What the driver should do next.
    public enum Action: Equatable, Sendable {
        /// Try this member: get a pool endpoint, then `exchangeStarting()` (or
        /// `attemptFinished(.noFreeEndpoint)` when there is none).
        case tryMember(Attempt)
        /// Sleep this many milliseconds (without the lock), then call `nextAttempt` again.
        case sleep(milliseconds: Int)
        /// No member is left: answer the client with this status (503 when the last try found no
        /// member, else the last attempt's status).
        case giveUp(status: Int32)
    }

    /// One attempt on a member.
    public struct Attempt: Equatable, Sendable {
        /// The member index.
        public var member: Int
        /// Where the AJP route attribute comes from (`routeBytes(for:)`).
        public var route: RouteResolver.RouteNote
        /// True when the member was chosen by its exact session route (mod_jk's `s->sticky`).
        public var viaSession: Bool
        /// The member's effective activation: the `JK_LB_ACTIVATION` attribute (`attributeText`).
        public var activation: MemberActivation
        /// True when this attempt adds `Set-Cookie: <sessionCookieValue>` to the response headers.
        public var setsSessionCookie: Bool
    }

    /// What to do after an attempt ended.
    public enum Verdict: Equatable, Sendable {
        /// The request is over: the attempt succeeded, the client failed, or the failure cannot
        /// be recovered on another member. Its own outcome is the request's.
        case finished
        /// Call `nextAttempt` (the member failed, another may serve the request).
        case tryAnother
    }

    private enum Phase: Equatable {
        /// Ready to choose.
        case ready
        /// A sleep between rounds was requested; the next `nextAttempt` starts a new round.
        case sleeping
        /// `tryMember` was returned; no exchange started yet.
        case chosen(member: Int)
        /// The exchange runs (a worker busy place is held).
        case exchanging(member: Int)
        /// `giveUp` or `finished` was returned.
        case finished
    }

    /// What member selection looks at: the slots, the local states and the rule's activation
    /// overrides. Made once per request, so choosing a member copies (and retains) nothing.
    public let view: SelectionView
    /// `set_session_cookie` of the lb or of the request's rule.
    private let setsSessionCookie: Bool
    /// The request's facts.
    public let request: BalancerRequest

    /// The balancer's slots.
    @inline(__always)
    public var slots: BalancerSlots { view.slots }

    /// The request's local member states.
    @inline(__always)
    public var states: LocalMemberStates { view.states }
    private var phase: Phase = .ready
    /// Attempts used in the current round.
    public private(set) var attempt = 0
    /// Rounds completed (0 during the first round).
    public private(set) var round = 0
    /// True once the one forced recovery of this request happened.
    public private(set) var didForceRecovery = false
    /// The status the client gets if the request gives up now.
    public private(set) var lastStatus: Int32 = 503
    /// The route note (mod_jk's `s->route`).
    public private(set) var route: RouteResolver.RouteNote
    /// The first member tried (mod_jk's first log items), if any.
    public private(set) var firstMember: Int?
    /// The last member tried, if any.
    public private(set) var lastMember: Int?
    /// The state transition of the last finished attempt (for logs).
    public private(set) var lastTransition: MemberStateMachine.Outcome?

    /// Starts the lb service for a request: takes the snapshot of member states. A member in
    /// OK/BUSY becomes OK again (in shared memory too) when its worker is below `busy_limit` and
    /// `hasFreeEndpoint(member)` says this process's pool has a free connection slot.
    ///
    /// - Parameter hasFreeEndpoint: called with the lock held for OK/BUSY members only; must not
    ///   block.
    /// - Precondition: the caller holds the segment lock. `states` must outlive this value.
    public init(slots: BalancerSlots, request: BalancerRequest, states: LocalMemberStates,
                hasFreeEndpoint: (Int) -> Bool) {
        self.init(slots: slots, request: request, states: states)
        readMemberStates(hasFreeEndpoint: hasFreeEndpoint)
    }

    /// Creates the service without touching shared memory: call `readMemberStates` (with the
    /// lock held) before `nextAttempt`. Lets the driver build it outside the locked section.
    public init(slots: BalancerSlots, request: consuming BalancerRequest, states: LocalMemberStates) {
        self.view = SelectionView(slots: slots, states: states, overrides: request.storedOverrides)
        self.route = request.environmentRoute == nil ? .unset : .environment
        self.setsSessionCookie = request.setSessionCookie || slots.topology.settings.setSessionCookie
        self.request = request   // last use: moved, not copied
    }

    /// Takes this process's view of the members' states (the first half of `init(slots:request:
    /// states:hasFreeEndpoint:)`).
    ///
    /// - Precondition: the caller holds the segment lock.
    public mutating func readMemberStates(hasFreeEndpoint: (Int) -> Bool) {
        // Raw codes, compared and copied without converting each to `MemberState` and back: this
        // loop runs over every member on every request.
        // The slot base and the member list are taken once: the stores into `storage` may alias
        // anything, so reading them through `view` reloaded both for every member.
        let busy = MemberState.busy.rawValue
        let storage = states.storage
        let count = min(view.slots.memberCount, states.count)
        guard count > 0, let base = view.slots.segment.baseAddress else { return }
        view.slots.topology.members.withUnsafeBufferPointer { members in
            for member in 0..<min(count, members.count) {
                let slot = base + members[member].memberSlot
                var code = slot.pointee.state
                if code == busy {
                    let limit = members[member].busyLimit
                    if (limit <= 0 || Int(base[members[member].workerSlot].busy) < limit) && hasFreeEndpoint(member) {
                        slot.setMemberState(MemberState.ok)
                    }
                    code = slot.pointee.state
                }
                // An unknown code reads as `error`, as `MemberState(slotValue:)` reads it. Spelled out (and
                // `base[…]` rather than `view.slots.worker(_:)` above) on purpose: with those helpers this
                // function was no longer inlined and cost a retain/release pair, +55 Ir per request.
                storage[member] = UInt32(bitPattern: code) <= UInt32(MemberState.probe.rawValue) ? code
                    : MemberState.error.rawValue
            }
        }
    }

    /// Runs `body` with local-state storage for `memberCount` members on the stack (no heap
    /// allocation for ordinary member counts). The storage is valid only inside `body`.
    public static func withLocalStates<Result>(memberCount: Int, _ body: (LocalMemberStates) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(memberCount, 1)) { storage in
            body(LocalMemberStates(uncheckedStorage: storage, memberCount: max(memberCount, 0)))
        }
    }

    /// Decides the next step of the loop.
    ///
    /// - Parameter nextOffset: the per-process rotation start of this lb (mod_jk's `next_offset`).
    /// - Precondition: the caller holds the segment lock.
    public mutating func nextAttempt(nextOffset: inout Int) -> Action {
        switch phase {
        case .finished:
            return .giveUp(status: lastStatus)
        case .chosen, .exchanging:
            // A driver bug (an attempt was not reported); end the request instead of trapping.
            phase = .finished
            lastStatus = 500
            return .giveUp(status: lastStatus)
        case .sleeping:
            startRound()
        case .ready:
            break
        }
        // Fields are read in place: copying the settings (or the topology) would retain them.
        let members = min(view.slots.memberCount, view.states.count)
        while true {
            if attempt >= members || attempt >= max(view.slots.topology.settings.lbRetries, 1) {
                round += 1
                if round >= max(view.slots.topology.settings.retries, 1) {
                    phase = .finished
                    return .giveUp(status: lastStatus)
                }
                if view.slots.topology.settings.retryInterval > 0 {
                    phase = .sleeping
                    return .sleep(milliseconds: view.slots.topology.settings.retryInterval)
                }
                startRound()
            }
            lastStatus = 503
            if let choice = MemberChooser.choose(view: view, session: request.sessionID, stateless: request.stateless,
                                                 nextOffset: &nextOffset, note: &route) {
                if route == .unset { route = .memberRoute(choice.member) }
                MemberStateMachine.memberChosen(slots: view.slots, member: choice.member, states: states)
                phase = .chosen(member: choice.member)
                if firstMember == nil { firstMember = choice.member }
                lastMember = choice.member
                return .tryMember(Attempt(member: choice.member, route: route, viaSession: choice.sticky,
                                          activation: view.activation(choice.member),
                                          setsSessionCookie: !choice.sticky && setsSessionCookie))
            }
            if !didForceRecovery {
                didForceRecovery = true
                if BalancerMaintenance.forceRecovery(view.slots, states: states) > 0 { continue }
            }
            attempt += 1
        }
    }

    /// A pool endpoint was obtained for the member of the last `tryMember`: charges the member
    /// (§9.3), counts the attempt, and takes a busy place on its worker. Returns false when the
    /// worker is at its `busy_limit`: the attempt has then already ended as `AttemptResult.busy`
    /// (release the endpoint and call `nextAttempt`).
    ///
    /// - Precondition: the caller holds the segment lock.
    public mutating func exchangeStarting() -> Bool {
        guard case .chosen(let member) = phase else { return false }
        let lb = view.slots.balancer
        // `busy` is atomic: `finishedWithoutLock` gives its place back without the lock.
        let busy = sjk_atomic_increment_within_i32(&lb.pointee.busy, 0)
        if busy > lb.pointee.max_busy { lb.pointee.max_busy = busy }
        LoadCharging.attemptStarted(slots: view.slots, member: member, hasSessionID: request.sessionID != nil,
                                    stateless: request.stateless)
        let slot = view.slots.member(member)
        slot.pointee.elected = slot.pointee.elected &+ 1
        if WorkerSlotAccounting.exchangeStarting(worker: view.slots.worker(member),
                                                 busyLimit: view.slots.topology.members[member].busyLimit) {
            phase = .exchanging(member: member)
            return true
        }
        // JK_BUSY_ERROR from the ajp worker: nothing was sent.
        LoadCharging.attemptEnded(slots: view.slots, member: member, bytesReceived: 0, bytesSent: 0)
        _ = sjk_atomic_decrement_floor0_i32(&lb.pointee.busy)
        lastTransition = MemberStateMachine.attemptEnded(.busy, slots: view.slots, member: member, states: states,
                                                         now: 0)
        lastStatus = 503
        attempt += 1
        phase = .ready
        return false
    }

    /// Reports how the current attempt ended and applies it to the member (§9.8).
    ///
    /// After `tryMember`, report `.noFreeEndpoint` when no pool endpoint was obtained; any other
    /// result reported without `exchangeStarting()` is treated as if `exchangeStarting()` had been
    /// called first.
    ///
    /// - Precondition: the caller holds the segment lock.
    public mutating func attemptFinished(_ report: AttemptReport, now: Int64) -> Verdict {
        let member: Int
        switch phase {
        case .chosen(let chosen):
            if report.result == .noFreeEndpoint {
                lastTransition = MemberStateMachine.attemptEnded(.noFreeEndpoint, slots: view.slots, member: chosen,
                                                                 states: states, now: now)
                lastStatus = 503
                attempt += 1
                phase = .ready
                return .tryAnother
            }
            guard exchangeStarting() else { return .tryAnother }
            member = chosen
        case .exchanging(let running):
            member = running
        case .ready, .sleeping, .finished:
            return .finished
        }
        WorkerSlotAccounting.exchangeEnded(worker: view.slots.worker(member), replyTimeouts: report.replyTimeouts,
                                           bytesReceived: report.bytesReceived, bytesSent: report.bytesSent)
        if report.result == .clientError { WorkerSlotAccounting.countClientError(worker: view.slots.worker(member)) }
        LoadCharging.attemptEnded(slots: view.slots, member: member, bytesReceived: report.bytesReceived,
                                  bytesSent: report.bytesSent)
        _ = sjk_atomic_decrement_floor0_i32(&view.slots.balancer.pointee.busy)
        lastTransition = MemberStateMachine.attemptEnded(report.result, slots: view.slots, member: member,
                                                         states: states, now: now)
        lastStatus = report.status
        switch report.result {
        case .success, .clientError:
            phase = .finished
            return .finished
        default:
            guard report.recoverable else {
                phase = .finished
                return .finished
            }
            attempt += 1
            phase = .ready
            return .tryAnother
        }
    }

    /// Ends a successful attempt **without the segment lock** when that changes nothing but atomic
    /// counters: the member is OK with no error time, the method charges nothing when an attempt
    /// ends (Request, Sessions, Next), and the lb has `lock=O` (the default). Returns `.finished`
    /// then, with the same effects as `attemptFinished` (the worker's counters and the lb's busy
    /// place are given back atomically); returns nil, changing nothing, when the lock is needed:
    /// call `attemptFinished` with it held.
    ///
    /// This is the common end of a request, so with `lock=O` a request served by its first member
    /// takes the lock once (to choose) instead of twice; `lock=P` keeps both locked sections, as
    /// mod_jk locks both with `lock=P`. mod_jk's `lock=O` takes none (docs/ARCHITECTURE.md, §1).
    public mutating func finishedWithoutLock(_ report: AttemptReport) -> Verdict? {
        guard report.result == .success, case .exchanging(let member) = phase,
              view.slots.topology.settings.lock == .optimistic else { return nil }
        switch view.slots.topology.settings.method {
        case .request, .sessions, .next: break
        case .traffic, .busyness: return nil
        }
        guard let slot = view.slots.memberSlot(member), let worker = view.slots.workerSlot(member),
              slot.isCleanOK else { return nil }
        WorkerSlotAccounting.exchangeEnded(worker: worker, replyTimeouts: report.replyTimeouts,
                                           bytesReceived: report.bytesReceived, bytesSent: report.bytesSent)
        _ = sjk_atomic_decrement_floor0_i32(&view.slots.balancer.pointee.busy)
        states[member] = .ok
        lastTransition = MemberStateMachine.Outcome(shared: .ok, local: .ok, escalated: false)
        lastStatus = report.status
        phase = .finished
        return .finished
    }

    /// The bytes of a route note: `JK_ROUTE`, a member's route or a member's domain; nil when unset.
    /// Member bytes live as long as the topology (so they can go into `sjk_outcome_t.route`).
    public func routeBytes(for note: RouteResolver.RouteNote) -> UnsafeRawBufferPointer? {
        switch note {
        case .unset: nil
        case .environment: request.environmentRoute
        case .memberRoute(let member): view.slots.topology.route(of: member)
        case .memberDomain(let member): view.slots.topology.domain(of: member)
        }
    }

    /// A new round: re-read the shared states (local error marks are dropped) and reset attempts.
    private mutating func startRound() {
        view.states.copy(from: view.slots)
        attempt = 0
        phase = .ready
    }
}
