import CJKCore
import Glibc

/// The shared-memory segment as the core sees it: a header with the process-shared lock, then
/// `sjk_slot_t` records (reference §10). Slot i < worker count belongs to worker i; the slots of
/// (lb, member) pairs follow, in balancer order.
///
/// Lock contract: `withLock` (or, on the request path, a `lock()`/`unlock()` pair) takes and
/// releases the segment lock; every function that reads or writes slots runs inside it and says so.
public final class SharedSegment: @unchecked Sendable {
    /// Start of the mapping.
    public let header: UnsafeMutablePointer<sjk_shm_header_t>
    /// The slots after the header.
    public let slots: UnsafeMutableBufferPointer<sjk_slot_t>

    /// Bytes needed for `slotCount` slots.
    public static func size(slotCount: Int) -> Int {
        MemoryLayout<sjk_shm_header_t>.stride + slotCount * MemoryLayout<sjk_slot_t>.stride
    }

    /// Wraps a mapping of `size` bytes; nil when it cannot hold `slotCount` slots.
    public init?(base: UnsafeMutableRawPointer, size: Int, slotCount: Int) {
        guard size >= Self.size(slotCount: slotCount) else { return nil }
        header = base.assumingMemoryBound(to: sjk_shm_header_t.self)
        let first = (base + MemoryLayout<sjk_shm_header_t>.stride).assumingMemoryBound(to: sjk_slot_t.self)
        slots = UnsafeMutableBufferPointer(start: first, count: slotCount)
        header.pointee.slot_count = UInt32(truncatingIfNeeded: slotCount)
    }

    private var mutex: UnsafeMutablePointer<pthread_mutex_t> {
        UnsafeMutableRawPointer(header).advanced(by: MemoryLayout<sjk_shm_header_t>.offset(of: \.lock) ?? 0)
            .assumingMemoryBound(to: pthread_mutex_t.self)
    }

    /// Runs `body` with the segment lock held. A child that died holding the lock leaves it
    /// "owner dead"; the state is then made consistent and used (counters may be off by one).
    public func withLock<R>(_ body: (UnsafeMutableBufferPointer<sjk_slot_t>) throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body(slots)
    }

    /// Takes the segment lock (see `withLock`). For the request path only, where a closure would
    /// retain what it captures: every `lock()` is followed by `unlock()` on every path, in the same
    /// function, with nothing in between that can leave the function.
    @inline(__always)
    public func lock() {
        if pthread_mutex_lock(mutex) == EOWNERDEAD { pthread_mutex_consistent(mutex) }
    }

    /// Releases the segment lock taken by `lock()`.
    @inline(__always)
    public func unlock() {
        pthread_mutex_unlock(mutex)
    }
}
