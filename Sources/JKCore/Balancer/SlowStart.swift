import CJKCore

/// Slow start (lb `slow_start`, SwiftJK): a member that has just come back from an error state takes
/// a growing share of the load instead of its full share at once, so a JVM that was just restarted
/// (cold JIT, empty caches) is not flooded with every new session.
///
/// The share is steered through what each unit of work costs the member: while it is back for
/// `elapsed` of `slow_start` seconds, every charge is `lb_mult × multiplier` with
///
///     multiplier = min(10, ⌈slow_start / max(elapsed, 1)⌉)        (1 once elapsed ≥ slow_start)
///
/// so the member is chosen about 1/multiplier as often as its lbfactor alone would choose it: a
/// tenth at first, a half at half time, all of it after `slow_start`. Busyness is left alone (its
/// lb_value is the number of requests in flight, which already keeps new work off a slow member).
public enum SlowStart {
    /// The largest multiplier: the member gets at least about a tenth of its share while ramping.
    public static let maximumMultiplier: UInt64 = 10

    /// The charge multiplier for a member back in service for `elapsed` seconds (pure).
    @inline(__always)
    public static func multiplier(elapsed: Int64, slowStart: Int) -> UInt64 {
        guard slowStart > 0, elapsed < Int64(slowStart) else { return 1 }
        let seconds = UInt64(max(elapsed, 1))
        let ramp = (UInt64(slowStart) + seconds - 1) / seconds
        return min(ramp, maximumMultiplier)
    }

    /// The multiplier for the member in `slot` at `now` (seconds) under the lb's `slow_start` and
    /// method: 1 unless
    /// the member came back into service less than `slow_start` seconds ago.
    ///
    /// - Precondition: the caller holds the segment lock.
    @inline(__always)
    static func multiplier(_ slot: UnsafeMutablePointer<sjk_slot_t>, slowStart: Int, method: LoadBalancerMethod,
                           now: () -> Int64) -> UInt64 {
        let since = slot.pointee.in_service_since
        guard slowStart > 0, since > 0, method != .busyness else { return 1 }
        return multiplier(elapsed: now() - since, slowStart: slowStart)
    }
}
