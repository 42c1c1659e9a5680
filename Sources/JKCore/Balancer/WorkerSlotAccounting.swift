import CJKCore

/// The counters of an **ajp13 worker** slot, kept for every request the worker serves, whether
/// directly or as an lb member: `elected` (requests, mod_jk's `used`), `busy` (in flight across
/// all processes, for `busy_limit` and the error-escalation rule) and `max_busy`, `errors`,
/// `client_errors`, `reply_timeouts` (decayed by maintenance) and the byte counters.
///
/// Every update is atomic (as mod_jk's JK_ATOMIC_INCREMENT), so the plain-worker path needs no
/// segment lock and the balancer path, which holds it, loses no update made by the other.
/// The worker's status fields (`state`) are not touched here.
public enum WorkerSlotAccounting {
    /// An exchange is about to start on the worker: counts the request (`elected`), then takes a
    /// `busy` place. Returns false, without keeping the place, when that would exceed `busyLimit`
    /// (> 0): the attempt must not run (the refusal counts as an error, as in mod_jk).
    public static func exchangeStarting(worker slot: UnsafeMutablePointer<sjk_slot_t>, busyLimit: Int) -> Bool {
        sjk_atomic_add_u64(&slot.pointee.elected, 1)
        let busy = sjk_atomic_increment_within_i32(&slot.pointee.busy, Int32(clamping: max(busyLimit, 0)))
        guard busy >= 0 else {
            sjk_atomic_add_u64(&slot.pointee.errors, 1)
            return false
        }
        sjk_atomic_max_i32(&slot.pointee.max_busy, busy)
        return true
    }

    /// An exchange that `exchangeStarting` admitted has ended: gives the `busy` place back (floor 0)
    /// and adds the attempt's reply timeouts and bytes.
    public static func exchangeEnded(worker slot: UnsafeMutablePointer<sjk_slot_t>, replyTimeouts: Int,
                                     bytesReceived: UInt64, bytesSent: UInt64) {
        _ = sjk_atomic_decrement_floor0_i32(&slot.pointee.busy)
        if replyTimeouts > 0 {
            sjk_atomic_add_saturating_i32(&slot.pointee.reply_timeouts, Int32(clamping: replyTimeouts))
        }
        if bytesReceived > 0 { sjk_atomic_add_saturating_u64(&slot.pointee.bytes_read, bytesReceived) }
        if bytesSent > 0 { sjk_atomic_add_saturating_u64(&slot.pointee.bytes_written, bytesSent) }
    }

    /// A request on the worker failed on the backend side (`errors`, and the error time).
    public static func countError(worker slot: UnsafeMutablePointer<sjk_slot_t>, now: Int64 = WallClock.seconds()) {
        sjk_atomic_add_u64(&slot.pointee.errors, 1)
        sjk_atomic_store_i64(&slot.pointee.last_error_time, now)
    }

    /// The client aborted or broke a request on the worker (`client_errors`).
    public static func countClientError(worker slot: UnsafeMutablePointer<sjk_slot_t>) {
        sjk_atomic_add_u64(&slot.pointee.client_errors, 1)
    }
}
