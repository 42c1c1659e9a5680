import CJKCore

/// The counters of a member's **ajp worker** slot that the balancer depends on: `busy` (in-flight
/// requests across all processes, for `busy_limit` and the error-escalation rule), `max_busy`,
/// `elected` (requests served by the worker, mod_jk's `used`), `reply_timeouts` (decayed by
/// maintenance, compared with `max_reply_timeouts`) and the byte counters.
///
/// mod_jk's ajp worker updates these itself around every request; `BalancerService` calls these
/// functions for lb members, and a driver serving a plain ajp worker can call them too so both
/// paths count the same way. The worker's own status fields (`state`, `errors`) are not touched.
public enum WorkerSlotAccounting {
    /// An exchange is about to start on the worker: counts the request (`elected`), then takes a
    /// `busy` place. Returns false, without keeping the place, when that would exceed `busyLimit`
    /// (> 0): the attempt must not run and ends as `AttemptResult.busy`.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func exchangeStarting(worker slot: UnsafeMutablePointer<sjk_slot_t>, busyLimit: Int) -> Bool {
        slot.pointee.elected = slot.pointee.elected &+ 1
        let busy = slot.pointee.busy.addingReportingOverflow(1)
        guard !busy.overflow else { return false }
        if busyLimit > 0, Int(busy.partialValue) > busyLimit {
            slot.pointee.errors = slot.pointee.errors &+ 1
            return false
        }
        slot.pointee.busy = busy.partialValue
        if busy.partialValue > slot.pointee.max_busy { slot.pointee.max_busy = busy.partialValue }
        return true
    }

    /// An exchange that `exchangeStarting` admitted has ended: gives the `busy` place back (floor 0)
    /// and adds the attempt's reply timeouts and bytes.
    ///
    /// - Precondition: the caller holds the segment lock.
    public static func exchangeEnded(worker slot: UnsafeMutablePointer<sjk_slot_t>, replyTimeouts: Int,
                                     bytesReceived: UInt64, bytesSent: UInt64) {
        if slot.pointee.busy > 0 { slot.pointee.busy -= 1 }
        if replyTimeouts > 0 {
            let added = Int64(slot.pointee.reply_timeouts).addingReportingOverflow(Int64(clamping: replyTimeouts))
            slot.pointee.reply_timeouts = added.overflow ? Int32.max : Int32(clamping: added.partialValue)
        }
        slot.pointee.bytes_read = slot.pointee.bytes_read.addingSaturated(bytesReceived)
        slot.pointee.bytes_written = slot.pointee.bytes_written.addingSaturated(bytesSent)
    }
}
