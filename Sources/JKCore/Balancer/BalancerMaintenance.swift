/// Global maintenance of an lb (reference §9.9): mod_jk 1.2.48's `maintain_workers` with
/// `decay_load`, `recover_workers` and `force_recovery`.
///
/// Maintenance runs at most once per `worker.maintain` seconds **across all processes**. The
/// election is `claimGlobalRun` on the segment header's `last_maintain_time` (mod_jk's
/// `jk_shm_check_maintain`); the process that wins runs `maintain` for every lb. It is triggered by
/// the next request (or the watchdog) — no traffic, no maintenance, no recovery.
///
/// For one lb, with `exponent = (now − lb.last_maintain_time) / worker.maintain` (whole periods,
/// never negative) and `lb.last_maintain_time = now`:
///
/// 1. **Decay**: `lb_value >>= exponent` except for Busyness and Next; every member's worker
///    `reply_timeouts >>= exponent`. A shift of 64 or more gives 0 (no undefined shift as in C).
///    `curmax` = the largest `lb_value` after the decay (0 for Busyness).
/// 2. **Next normalisation**: subtract the smallest `lb_value` among members usable by their shared
///    state and slot activation (rule overrides cannot be seen here) from every member, floor 0.
/// 3. **Recovery**, per member:
///    * ERR and `now − last_error_time > recover_time` ⇒ ERR/REC, worker `reply_timeouts = 0`, and
///      `lb_value = curmax` unless Busyness (so the recovered member is not flooded);
///    * else a member (not ERR/REC) whose `first_error_time` is set and at least
///      `error_escalation_time` old ⇒ ERR (a lingering local error escalates);
///    * else OK with no attempt since the last maintenance (`elected == elected_snapshot`) ⇒ OK/IDLE;
///    * `elected_snapshot = elected` for every member.
/// 4. If no member is outside ERR after 3 (every one is ERR, or just escalated), every ERR member
///    becomes ERR/FRC ("forced recovery") with worker `reply_timeouts = 0`.
public enum BalancerMaintenance {
    /// What a maintenance run did (for logs and tests).
    public struct Report: Equatable, Sendable {
        /// Whole maintenance periods since the last run (the decay shift).
        public var exponent: Int64 = 0
        /// The largest `lb_value` after the decay.
        public var curmax: UInt64 = 0
        /// Members set to ERR/REC.
        public var recovered = 0
        /// Members whose local error escalated to ERR.
        public var escalated = 0
        /// Members set to OK/IDLE.
        public var idled = 0
        /// Members forced to ERR/FRC because none was outside ERR.
        public var forced = 0
    }

    /// The cross-process election (mod_jk's `jk_shm_check_maintain`): true, and `lastRun = now`,
    /// when `lastRun <= now − interval`. Always false when `interval <= 0` (maintenance disabled).
    /// `lastRun` is the segment header's `last_maintain_time`.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func claimGlobalRun(lastRun: inout Int64, now: Int64, interval: Int) -> Bool {
        guard interval > 0, lastRun <= now.subtractingClamped(Int64(interval)) else { return false }
        lastRun = now
        return true
    }

    /// Runs maintenance for one lb (call it for every lb after winning `claimGlobalRun`). Does
    /// nothing when `worker.maintain` is 0. Allocates nothing.
    ///
    /// - Precondition: the caller holds the segment lock.
    @discardableResult
    public static func maintain(_ slots: BalancerSlots, now: Int64) -> Report {
        let interval = Int64(slots.topology.maintainInterval)
        guard interval > 0 else { return Report() }
        let lb = slots.balancer
        let elapsed = now.subtractingClamped(lb.pointee.last_maintain_time)
        let exponent = max(elapsed / interval, 0)
        lb.pointee.last_maintain_time = now
        var report = Report()
        report.exponent = exponent
        report.curmax = decay(slots, exponent: exponent)
        recover(slots, curmax: report.curmax, now: now, report: &report)
        return report
    }

    /// Steps 1 and 2: decay and Next normalisation; returns `curmax`.
    static func decay(_ slots: BalancerSlots, exponent: Int64) -> UInt64 {
        let method = slots.topology.settings.method
        let shift = UInt64(clamping: exponent)
        var curmax: UInt64 = 0
        for member in 0..<slots.memberCount {
            let slot = slots.member(member)
            if method != .busyness {
                if method != .next { slot.pointee.lb_value = shifted(slot.pointee.lb_value, by: shift) }
                curmax = max(curmax, slot.pointee.lb_value)
            }
            let worker = slots.worker(member)
            worker.pointee.reply_timeouts = Int32(bitPattern: UInt32(
                truncatingIfNeeded: shifted(UInt64(UInt32(bitPattern: worker.pointee.reply_timeouts)), by: shift)))
        }
        if method == .next {
            var minimum: UInt64?
            for member in 0..<slots.memberCount {
                let slot = slots.member(member)
                let usable = MemberState(slotValue: slot.pointee.state).acceptsRequests
                    && MemberActivation(slotValue: slot.pointee.activation) == .active
                if usable { minimum = min(minimum ?? slot.pointee.lb_value, slot.pointee.lb_value) }
            }
            let subtract = minimum ?? 0
            for member in 0..<slots.memberCount {
                let slot = slots.member(member)
                slot.pointee.lb_value = slot.pointee.lb_value.subtractingFloored(subtract)
            }
        }
        return curmax
    }

    /// Steps 3 and 4: recovery, escalation, idle detection, forced recovery.
    static func recover(_ slots: BalancerSlots, curmax: UInt64, now: Int64, report: inout Report) {
        let settings = slots.topology.settings
        let recoverTime = Int64(max(settings.recoverTime, 1))
        let escalationTime = Int64(settings.errorEscalationTime)
        var outsideError = 0
        for member in 0..<slots.memberCount {
            let slot = slots.member(member)
            let state = MemberState(slotValue: slot.pointee.state)
            if state == .error {
                if now.subtractingClamped(slot.pointee.last_error_time) > recoverTime {
                    if settings.method != .busyness { slot.pointee.lb_value = curmax }
                    slots.worker(member).pointee.reply_timeouts = 0
                    slot.setMemberState(MemberState.recover)
                    report.recovered += 1
                    outsideError += 1
                }
            } else if slot.pointee.first_error_time > 0,
                      now.subtractingClamped(slot.pointee.first_error_time) >= escalationTime,
                      state != .recover {
                slot.setMemberState(MemberState.error)
                report.escalated += 1
            } else {
                outsideError += 1
                if state == .ok, slot.pointee.elected == slot.pointee.elected_snapshot {
                    slot.setMemberState(MemberState.idle)
                    report.idled += 1
                }
            }
            slot.pointee.elected_snapshot = slot.pointee.elected
        }
        if outsideError == 0 { report.forced = forceRecovery(slots, states: nil) }
    }

    /// mod_jk's `force_recovery`: every member in ERR becomes ERR/FRC (shared, and in `states` when
    /// given), with worker `reply_timeouts = 0`. Returns how many were forced. Used by maintenance
    /// and, once per request, by `BalancerService` when no member is usable.
    ///
    /// - Precondition: the caller holds the segment lock.
    @discardableResult
    public static func forceRecovery(_ slots: BalancerSlots, states: LocalMemberStates?) -> Int {
        var forced = 0
        for member in 0..<slots.memberCount {
            let slot = slots.member(member)
            guard MemberState(slotValue: slot.pointee.state) == .error else { continue }
            slots.worker(member).pointee.reply_timeouts = 0
            slot.setMemberState(MemberState.forced)
            if let states { states[member] = .forced }
            forced += 1
        }
        return forced
    }

    /// `value >> shift` with shifts of 64 or more giving 0.
    @inline(__always)
    static func shifted(_ value: UInt64, by shift: UInt64) -> UInt64 {
        shift >= 64 ? 0 : value >> shift
    }
}
