import CJKCore

/// busy_limit of a plain ajp13 worker (reference §7.3): at most `limit` requests in flight across
/// all httpd processes, counted in the worker's shared slot. Without a limit no lock is taken.
public struct BusyAdmission {
    private let segment: SharedSegment?
    private let slot: Int

    /// Admits a request, or returns nil when the worker already has `limit` requests in flight.
    public init?(_ segment: SharedSegment?, slot: Int, limit: Int) {
        guard limit > 0, let segment else {
            self.segment = nil
            self.slot = slot
            return
        }
        let admitted = segment.withLock { slots -> Bool in
            guard slot >= 0, slot < slots.count else { return true }
            guard slots[slot].busy < Int32(clamping: limit) else { return false }
            slots[slot].busy &+= 1
            slots[slot].max_busy = max(slots[slot].max_busy, slots[slot].busy)
            return true
        }
        guard admitted else { return nil }
        self.segment = segment
        self.slot = slot
    }

    /// Ends the request's share of the count.
    public func release() {
        segment?.withLock { slots in
            guard slot >= 0, slot < slots.count else { return }
            slots[slot].busy = max(slots[slot].busy &- 1, 0)
        }
    }
}
