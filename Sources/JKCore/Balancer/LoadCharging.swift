/// How each balancing method charges a member's `lb_value` (reference §9.3), and the `sessions`
/// statistic:
///
/// | Method | When | By how much |
/// |---|---|---|
/// | Request | every attempt, when it starts (sticky, stateless, retried — all) | `+ lb_mult` |
/// | Busyness | `+ lb_mult` when it starts, `− lb_mult` when it ends (floor 0) | in flight × mult |
/// | Sessions | when it starts, **only** if the request has no session id and is not stateless | `+ lb_mult` |
/// | Next | as Sessions | `+ lb_mult` |
/// | Traffic | when it ends | `+ (bytes received + bytes sent) × lb_mult` |
///
/// `sessions` counts every attempt of a request without session id that is not stateless, whatever
/// the method. A request that carried a session id counts as "with session id" even when no member
/// has its route.
///
/// While a member ramps up after coming back from an error (`slow_start`, see `SlowStart`), every
/// charge except Busyness's is multiplied. All additions saturate at `UInt64.max` instead of wrapping.
public enum LoadCharging {
    /// Charges `member` when an attempt starts (after a pool endpoint was obtained, as mod_jk does).
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func attemptStarted(slots: BalancerSlots, member: Int, hasSessionID: Bool, stateless: Bool,
                                      now: () -> Int64 = WallClock.seconds) {
        guard let slot = slots.memberSlot(member) else { return }
        let newSession = !hasSessionID && !stateless
        let charges: Bool
        switch slots.topology.settings.method {
        case .request, .busyness: charges = true
        case .sessions, .next: charges = newSession
        case .traffic: charges = false
        }
        if charges {
            let ramp = SlowStart.multiplier(slot, slowStart: slots.topology.settings.slowStart,
                                                  method: slots.topology.settings.method, now: now)
            let charge = ramp == 1 ? slot.pointee.lb_mult : slot.pointee.lb_mult.multipliedSaturated(by: ramp)
            slot.pointee.lb_value = slot.pointee.lb_value.addingSaturated(charge)
        }
        if newSession { slot.pointee.sessions = slot.pointee.sessions &+ 1 }
    }

    /// Charges `member` when an attempt that started has ended (whatever its result): Traffic adds
    /// the bytes times `lb_mult`, Busyness gives its `lb_mult` back (floor 0).
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func attemptEnded(slots: BalancerSlots, member: Int, bytesReceived: UInt64, bytesSent: UInt64,
                                    now: () -> Int64 = WallClock.seconds) {
        guard let slot = slots.memberSlot(member) else { return }
        switch slots.topology.settings.method {
        case .traffic:
            let bytes = bytesReceived.addingSaturated(bytesSent)
            let ramp = SlowStart.multiplier(slot, slowStart: slots.topology.settings.slowStart,
                                                  method: slots.topology.settings.method, now: now)
            let charge = bytes.multipliedSaturated(by: slot.pointee.lb_mult).multipliedSaturated(by: ramp)
            slot.pointee.lb_value = slot.pointee.lb_value.addingSaturated(charge)
        case .busyness:
            slot.pointee.lb_value = slot.pointee.lb_value.subtractingFloored(slot.pointee.lb_mult)
        case .request, .sessions, .next:
            break
        }
    }
}
