import CJKCore

/// The counters of a plain ajp13 worker around one request (mod_jk's `used`, `busy`,
/// `max_busy`, `errors`, `client_errors`, bytes, reply timeouts), and its `busy_limit`
/// (reference §7.3): at most `limit` requests in flight across all httpd processes. Atomic
/// updates of the worker's shared slot; no lock is taken.
public struct BusyAdmission {
    private let slot: UnsafeMutablePointer<sjk_slot_t>?

    /// Admits a request (counting it), or returns nil when the worker already has `limit`
    /// requests in flight. Without shared memory nothing is counted and every request is admitted.
    public init?(_ slot: UnsafeMutablePointer<sjk_slot_t>?, limit: Int) {
        self.slot = slot
        guard let slot else { return }
        guard WorkerSlotAccounting.exchangeStarting(worker: slot, busyLimit: limit) else { return nil }
    }

    /// Ends the request's share of `busy` and adds what it did to the counters.
    public func release(_ result: ForwardResult, stats: ForwardStats) {
        guard let slot else { return }
        WorkerSlotAccounting.exchangeEnded(worker: slot, replyTimeouts: stats.replyTimeouts,
                                           bytesReceived: stats.bytesReceived, bytesSent: stats.bytesSent)
        switch result {
        case .completed, .serverErrorPage: break
        case .clientError: WorkerSlotAccounting.countClientError(worker: slot)
        case .failed, .abortedMidResponse: WorkerSlotAccounting.countError(worker: slot)
        }
    }
}
