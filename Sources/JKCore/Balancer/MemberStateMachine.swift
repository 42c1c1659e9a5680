/// State transitions of an lb member on the result of an attempt (reference §9.8), exactly as
/// mod_jk 1.2.48's lb `service` applies them. Shared state is what every process sees; the local
/// state is this request's copy (`LocalMemberStates`), where `error` means "do not pick it again for
/// this request".
///
/// When a member is picked: ERR/REC becomes ERR/PRB (shared and local) — the request probes it.
///
/// No pool endpoint: shared and local become OK/BUSY, unless the shared state is ERR (then nothing
/// changes).
///
/// Otherwise, first a shared state other than ERR becomes OK (local too), then:
///
/// | Result | Shared afterwards | Local | Error bookkeeping |
/// |---|---|---|---|
/// | success | OK | OK | first/last error time cleared |
/// | clientError | OK | ERR | times cleared (request ends) |
/// | softFailOnStatus | OK | ERR | times cleared |
/// | busy | OK/BUSY (even from ERR) | OK/BUSY | — |
/// | hardFailOnStatus | ERR | ERR | errors+1, first = last = now |
/// | replyTimeout, worker `reply_timeouts` > `max_reply_timeouts` | ERR | ERR | errors+1, first = last = now |
/// | replyTimeout, otherwise | unchanged (OK) | ERR | — |
/// | protocolError, internalError | unchanged (OK) | ERR | — |
/// | failure | ERR by the escalation rule (below), else unchanged | ERR | errors+1, first ??= now, last = now |
///
/// Escalation rule for `failure`: the shared state becomes ERR when the member's worker has no
/// other request in flight (`busy` 0), or `error_escalation_time` is 0, or the first error is at
/// least `error_escalation_time` old.
///
/// `max_reply_timeouts` is compared as mod_jk does, as unsigned (a negative value never trips).
public enum MemberStateMachine {
    /// What a transition did, for logging and tests.
    public struct Outcome: Equatable, Sendable {
        /// The member's shared state afterwards.
        public var shared: MemberState
        /// The member's local state afterwards.
        public var local: MemberState
        /// True when the failure set the shared state to ERR by the escalation rule (mod_jk logs
        /// "escalating local error to global error").
        public var escalated: Bool
    }

    /// The member was picked for an attempt: ERR/REC becomes ERR/PRB in shared memory and locally.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func memberChosen(slots: BalancerSlots, member: Int, states: LocalMemberStates) {
        guard let slot = slots.memberSlot(member) else { return }
        if MemberState(slotValue: slot.pointee.state) == .recover {
            slot.setMemberState(MemberState.probe)
            states[member] = .probe
        }
    }

    /// Applies the result of an attempt on `member`.
    ///
    /// For `failure` the worker slot's `busy` must no longer count this attempt (it is given back by
    /// `WorkerSlotAccounting.exchangeEnded` first); for `replyTimeout` the attempt's reply timeouts
    /// must already be added to the worker slot.
    ///
    /// - Precondition: the caller holds the segment lock.
    @discardableResult
    public static func attemptEnded(_ result: AttemptResult, slots: BalancerSlots, member: Int,
                                    states: LocalMemberStates, now: Int64) -> Outcome {
        guard let slot = slots.memberSlot(member), let worker = slots.workerSlot(member) else {
            return Outcome(shared: .error, local: .error, escalated: false)
        }
        let settings = slots.topology.settings
        var escalated = false
        func set(shared: MemberState? = nil, local: MemberState) {
            if let shared { slot.setMemberState(shared) }
            states[member] = local
        }
        func clearErrorTimes() {
            slot.setErrorTimes(first: 0, last: 0)
        }
        func recordGlobalError() {
            slot.pointee.errors = slot.pointee.errors &+ 1
            set(shared: .error, local: .error)
            slot.setErrorTimes(first: now, last: now)
        }

        let wasError = MemberState(slotValue: slot.pointee.state) == .error
        if result == .noFreeEndpoint {
            if !wasError { set(shared: .busy, local: .busy) }
            return Outcome(shared: MemberState(slotValue: slot.pointee.state), local: states[member], escalated: false)
        }
        // An attempt ran: assume OK unless it was in global error; the result refines it below.
        if !wasError { set(shared: .ok, local: .ok) }

        switch result {
        case .success:
            set(shared: .ok, local: .ok)
            clearErrorTimes()
        case .clientError, .softFailOnStatus:
            set(shared: .ok, local: .error)
            clearErrorTimes()
        case .busy:
            set(shared: .busy, local: .busy)
        case .hardFailOnStatus:
            recordGlobalError()
        case .replyTimeout:
            let limit = UInt32(truncatingIfNeeded: settings.maxReplyTimeouts)
            if UInt32(bitPattern: worker.pointee.reply_timeouts) > limit {
                recordGlobalError()
            } else {
                set(local: .error)
            }
        case .protocolError, .internalError:
            set(local: .error)
        case .connectFailure where settings.connectErrorsGlobal:
            escalated = !wasError
            recordGlobalError()
        case .failure, .connectFailure:
            slot.pointee.errors = slot.pointee.errors &+ 1
            let first = slot.pointee.first_error_time
            let escalation = Int64(settings.errorEscalationTime)
            if worker.pointee.busy == 0 || escalation == 0
                || (first > 0 && now.subtractingClamped(first) >= escalation) {
                escalated = true
                set(shared: .error, local: .error)
            } else {
                set(local: .error)
            }
            slot.setErrorTimes(first: first == 0 ? now : first, last: now)
        case .noFreeEndpoint:
            break
        }
        return Outcome(shared: MemberState(slotValue: slot.pointee.state), local: states[member],
                       escalated: escalated)
    }
}
