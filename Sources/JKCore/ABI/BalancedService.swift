import CJKCore

/// Serves a request mapped to an `lb` worker: the I/O driver around `BalancerService`
/// (reference §9.7). Every call into the balancer runs with the segment lock held; choosing a
/// connection, the AJP exchange and sleeps between rounds run without it.
enum BalancedService {
    static func serve(_ lb: LoadBalancerRuntime, registry: Registry, request: sjk_request_t,
                      extensions: RuleExtensionsRef?, io: HostIO, outcome: sjk_outcome_t) -> sjk_outcome_t {
        var outcome = outcome
        // One topology for the whole request (an edit publishes a new one for later requests).
        let topology = lb.topology
        guard let slots = lb.slots(for: topology), let segment = registry.segment else {
            io.log(Int(SJK_LOG_ERROR), "load balancer \(lb.name) has no shared memory; check JkShmFile")
            outcome.status = 503
            return outcome
        }
        let rule = extensions ?? RuleExtensionsRef.none   // `rule.value` is read in place, never copied
        let uri = ForwardedURIChoice.form(for: request)
        // The packet buffers and the members' local states share the thread's request buffer, taken
        // without closures: a closure here made every captured reference count as a retain per call.
        let scratchBytes = RequestScratch.byteCount(packetSize: topology.packetSize)
        let memberCount = max(topology.memberCount, 0)
        guard let block = ThreadBuffer.take(byteCount: scratchBytes + 4 * max(memberCount, 1)) else {
            io.log(Int(SJK_LOG_ERROR), "load balancer \(lb.name): no memory for the request buffers")
            outcome.status = 503
            return outcome
        }
        defer { ThreadBuffer.give(block) }
        var scratch = RequestScratch(storage: block.bytes, packetSize: topology.packetSize,
                                     firstPacketSize: topology.firstPacketSize, request: request)
        guard scratch.readFirstBody(host: io) else {
            outcome.status = 400
            outcome.client_error = 1
            return outcome
        }
        let stateStorage = UnsafeMutableRawBufferPointer(rebasing: block.bytes[scratchBytes...])
            .bindMemory(to: Int32.self)
        guard let states = LocalMemberStates(storage: stateStorage, memberCount: memberCount) else {
            outcome.status = 500
            return outcome
        }
        // Gathered here, so the service takes the facts without a copy.
        let facts = BalancerRequest.gather(
            topology: topology, rule: rule,
            activationOverrides: activationOverrides(rule, lb: lb),
            environmentRoute: request.route_env.bytes, environmentStickyIgnore: request.sticky_ignore_env.bytes,
            environmentStateless: request.stateless_env.bytes, uri: uri.bytes,
            headers: UnsafeBufferPointer(start: request.headers, count: request.header_count),
            isSecure: request.is_ssl != 0)
        if facts.hadEmptySessionID {
            io.log(Int(SJK_LOG_INFO), "empty session identifier; balancing without affinity")
        }
        let hasSession = facts.sessionID != nil
        // One lock for reading the members' states, choosing and starting the first attempt.
        var service = BalancerService(slots: slots, request: consume facts, states: states)
        // lock()/unlock() rather than withLock: its closure retained what it captured.
        segment.lock()
        service.readMemberStates { member in
            member < lb.endpoints.count && (lb.endpoints[member]?.pool.hasFreeSlot ?? false)
        }
        let first = nextStep(&service, lb: lb)
        countStickyOutcome(first, hasSession: hasSession, slots: slots)
        segment.unlock()
        return run(&service, first: first, lb: lb, segment: segment, request: request, uri: uri,
                   rule: rule, scratch: scratch, io: io, outcome: outcome)
    }

    /// What the driver does next, decided with the lock held.
    private enum Step {
        /// Sleep between rounds (without the lock), then ask again.
        case sleep(milliseconds: Int)
        /// No member can serve the request.
        case giveUp(status: Int32)
        /// Forward to this member; its exchange was already started (busy counted). The endpoint
        /// is not retained: the lb runtime, which the caller holds for the whole request, owns it.
        case forward(BalancerService.Attempt, Unmanaged<AJPEndpoint>)
    }

    /// Asks the balancer for the next attempt and starts it, skipping members that cannot take
    /// it. Runs with the segment lock held and never blocks.
    private static func nextStep(_ service: inout BalancerService, lb: LoadBalancerRuntime) -> Step {
        while true {
            switch service.nextAttempt(nextOffset: &lb.nextOffset) {
            case .sleep(let milliseconds):
                return .sleep(milliseconds: milliseconds)
            case .giveUp(let status):
                return .giveUp(status: status)
            case .tryMember(let attempt):
                // Unretained straight from the array: binding the endpoint retained it.
                guard attempt.member < lb.endpoints.count,
                      let endpoint = lb.endpoints[attempt.member].map(Unmanaged.passUnretained) else {
                    _ = service.attemptFinished(AttemptReport(result: .failure), now: WallClock.seconds())
                    continue
                }
                guard service.exchangeStarting() else { continue }
                return .forward(attempt, endpoint)
            }
        }
    }

    /// The attempt loop: forward to the chosen member, report, and (in the same locked section)
    /// choose the next one, until the balancer says finished. A request served by its first
    /// member, when that member is healthy, takes the segment lock once (to choose it).
    private static func run(_ service: inout BalancerService, first: Step, lb: LoadBalancerRuntime,
                            segment: SharedSegment, request: sjk_request_t, uri: ForwardedURIForm,
                            rule: RuleExtensionsRef, scratch: RequestScratch, io: HostIO,
                            outcome: sjk_outcome_t) -> sjk_outcome_t {
        var outcome = outcome
        var step = first
        while true {
            switch step {
            case .sleep(let milliseconds):
                BackendSocket.sleepMs(milliseconds)
                segment.lock()
                step = nextStep(&service, lb: lb)
                segment.unlock()
            case .giveUp(let status):
                io.log(Int(SJK_LOG_ERROR), "load balancer \(lb.name): no member could serve the request (\(status))")
                outcome.status = status
                if let route = service.routeBytes(for: service.route) { outcome.route = sjk_str_t(route) }
                return outcome
            case .forward(let attempt, let unmanagedEndpoint):
                let endpoint = unmanagedEndpoint.takeUnretainedValue()
                outcome.member = Int32(clamping: service.view.slots.topology.members[attempt.member].workerSlot)
                let route = service.routeBytes(for: attempt.route)
                if let route { outcome.route = sjk_str_t(route) }
                let options = forwardOptions(endpoint.settings, request: request, rule: rule,
                                             cookie: attempt.setsSessionCookie
                                                 ? service.view.slots.topology.sessionCookieValue(member: attempt.member,
                                                                                  secure: request.is_ssl != 0) : nil,
                                             connectErrorsGlobal: service.view.slots.topology.settings.connectErrorsGlobal)
                var stats = ForwardStats()
                let result = withSecret(endpoint.settings.secret) { secret in
                    AJPForwarder(endpoint: endpoint, host: io).forward(
                        request, context: AJPForwardContext(uri: uri, secret: secret, route: route,
                                                            activation: attempt.activation.attributeText),
                        options: options, scratch: scratch, stats: &stats)
                }
                let report = attemptReport(result, options: options, stats: stats)
                // The common end (success on a healthy member) needs no lock.
                if service.finishedWithoutLock(report) != nil {
                    return RequestService.outcome(from: result, endpoint: endpoint, io: io, outcome: outcome)
                }
                let now = WallClock.seconds()
                segment.lock()
                let verdict = service.attemptFinished(report, now: now)
                let transition = service.lastTransition
                let next = verdict == .finished ? nil : nextStep(&service, lb: lb)
                segment.unlock()
                if let transition, transition.escalated {
                    io.log(Int(SJK_LOG_INFO), "load balancer \(lb.name): member \(lb.memberNames[attempt.member]) "
                           + "escalating local error to global error")
                }
                guard let next else {
                    return RequestService.outcome(from: result, endpoint: endpoint, io: io, outcome: outcome)
                }
                io.log(Int(SJK_LOG_INFO), "load balancer \(lb.name): member \(lb.memberNames[attempt.member]) "
                       + "failed (\(report.result)); trying another member")
                sjk_atomic_add_u64(&service.view.slots.balancer.pointee.failovers, 1)
                step = next
            }
        }
    }

    /// The sticky-session metrics of the request's first choice: its route found (and when the
    /// member last served a sticky request, for drains), the route's member unavailable, or no
    /// session. Runs with the segment lock held.
    private static func countStickyOutcome(_ step: Step, hasSession: Bool, slots: BalancerSlots) {
        let index: Int
        switch step {
        case .forward(let attempt, _) where attempt.viaSession:
            index = 0
            slots.member(attempt.member).pointee.last_sticky_time = WallClock.seconds()
        case .forward, .giveUp, .sleep:
            index = hasSession ? 1 : 2
        }
        sjk_slot_count(slots.balancer, SJK_COUNT_STICKY, Int64(index))
    }

    private static func activationOverrides(_ rule: RuleExtensionsRef, lb: LoadBalancerRuntime)
        -> ActivationOverrides? {
        guard rule.hasActivationLists else { return nil }
        var ignored = DiagnosticLog()   // reported once at configuration time
        return ActivationOverrides(extensions: rule.value, memberNames: lb.memberNames, lbName: lb.name,
                                   location: nil, log: &ignored)
    }

    private static func forwardOptions(_ settings: AJPEndpoint.Settings, request: sjk_request_t, rule: RuleExtensionsRef,
                                       cookie: UnsafeRawBufferPointer?, connectErrorsGlobal: Bool) -> ForwardOptions {
        var options = RequestService.forwardOptions(settings, request: request, extensions: rule)
        options.connectFailureEndsAttempts = connectErrorsGlobal
        if let cookie { options.extraResponseHeader = sjk_pair_t(name: sjk_str_t("Set-Cookie"), value: sjk_str_t(cookie)) }
        return options
    }

    /// How the balancer sees a finished attempt (reference §9.8).
    private static func attemptReport(_ result: ForwardResult, options: ForwardOptions,
                                      stats: ForwardStats) -> AttemptReport {
        func kind(_ failure: AJPFailure) -> AttemptResult {
            switch failure {
            case .failOnStatus(let status): return options.failOnStatus.contains(status) ? .hardFailOnStatus
                                                                                           : .softFailOnStatus
            case .replyTimeout: return .replyTimeout
            case .protocolError, .malformed: return .protocolError
            case .poolExhausted: return .noFreeEndpoint
            case .connectFailed(let error) where error != 0: return .connectFailure
            default: return .failure
            }
        }
        let (result, recoverable, status): (AttemptResult, Bool, Int32) = switch result {
        case .completed(let status), .serverErrorPage(let status): (.success, false, Int32(clamping: status))
        case .clientError(let status, _): (.clientError, false, Int32(clamping: status))
        case .abortedMidResponse(let failure): (kind(failure), false, failure.httpStatus)
        case .failed(let failure, let recoverable): (kind(failure), recoverable, failure.httpStatus)
        }
        return AttemptReport(result: result, recoverable: recoverable, status: status,
                             replyTimeouts: stats.replyTimeouts, bytesReceived: stats.bytesReceived,
                             bytesSent: stats.bytesSent)
    }
}

extension ForwardedURIForm {
    /// The URI bytes before encoding.
    var bytes: UnsafeRawBufferPointer {
        switch self {
        case .verbatim(let bytes), .proxyEncoded(let bytes), .escaped(let bytes): bytes
        }
    }
}

/// Runs `body` with the secret's bytes borrowed (nil when there is none).
func withSecret<R>(_ secret: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let secret else { return body(nil) }
    return secret.withUnsafeBytes { body($0) }
}
