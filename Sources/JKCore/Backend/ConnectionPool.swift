import CJKCore
import Glibc

/// The per-process pool of idle connections of one AJP worker (reference §8.1).
///
/// Lock contract: every method takes the pool's own pthread mutex for the few instructions it
/// touches the idle list; no I/O happens with the lock held. The pool is created in the parent
/// at config time and copied into each child by fork before any connection exists.
public final class ConnectionPool: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var idle: [AJPConnection] = []
    private var inUse = 0
    /// connection_pool_size: connections this process may hold at once.
    public let size: Int
    /// connection_pool_minsize: idle connections kept when shrinking.
    public let minSize: Int
    /// The worker slot whose `idle_connections` gauge counts this pool's idle connections; set in
    /// the parent when the segment is attached.
    var counter: UnsafeMutablePointer<sjk_slot_t>?

    /// Adds `delta` to the shared idle-connection gauge.
    @inline(__always)
    private func countIdle(_ delta: Int) {
        guard let counter, delta != 0 else { return }
        _ = sjk_atomic_add_i32(&counter.pointee.idle_connections, Int32(clamping: delta))
    }

    /// Creates an empty pool.
    public init(size: Int, minSize: Int) {
        self.size = max(size, 1)
        self.minSize = max(0, min(minSize, self.size))
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        idle.reserveCapacity(self.size)
    }

    deinit {
        for connection in idle { BackendSocket.close(connection.fd) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// What `acquire` produced.
    public enum Slot {
        /// A pooled connection that was idle (check it before use).
        case pooled(AJPConnection)
        /// A free slot with no connection: open one.
        case empty
        /// Every slot is busy.
        case exhausted
    }

    /// Takes a slot: the most recently used idle connection first, else an empty slot.
    public func acquire() -> Slot {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let connection = idle.popLast() {
            inUse += 1
            countIdle(-1)
            return .pooled(connection)
        }
        guard inUse + idle.count < size else { return .exhausted }
        inUse += 1
        return .empty
    }

    /// Waits (polling every 100 ms, as mod_jk) up to `timeoutMs` for a slot.
    public func acquire(waitingUpTo timeoutMs: Int) -> Slot {
        var waited = 0
        while true {
            let slot = acquire()
            if case .exhausted = slot, waited < timeoutMs {
                BackendSocket.sleepMs(100)
                waited += 100
                continue
            }
            return slot
        }
    }

    /// True when `acquire()` would give a slot now (an idle connection or room for a new one).
    public var hasFreeSlot: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return !idle.isEmpty || inUse + idle.count < size
    }

    /// Another idle connection for a caller that already holds a slot and found its pooled
    /// connection dead (the dead one is closed, so the slot count stays right).
    public func nextIdle() -> AJPConnection? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let connection = idle.popLast()
        if connection != nil { countIdle(-1) }
        return connection
    }

    /// Returns a slot; the connection goes back to the idle list when given, else it is
    /// simply freed (the caller already closed the socket).
    public func release(_ connection: AJPConnection?) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        inUse = max(inUse - 1, 0)
        if let connection {
            idle.append(connection)
            countIdle(1)
        }
    }

    /// Closes idle connections unused for `idleTimeoutMs` while keeping `minSize` (maintenance).
    public func closeIdle(olderThan idleTimeoutMs: Int64, now: Int64) {
        pthread_mutex_lock(mutex)
        var expired: [AJPConnection] = []
        while idle.count > minSize, let oldest = idle.first, now - oldest.lastUsedMs > idleTimeoutMs {
            expired.append(idle.removeFirst())
        }
        countIdle(-expired.count)
        pthread_mutex_unlock(mutex)
        for connection in expired { connection.close() }
    }

    /// Closes every idle connection (the worker's host or port changed: they lead to the old
    /// address). Connections in use are not pooled again when they come back (AJPForwarder).
    public func closeAllIdle() {
        pthread_mutex_lock(mutex)
        let all = idle
        idle.removeAll()
        countIdle(-all.count)
        pthread_mutex_unlock(mutex)
        for connection in all { connection.close() }
    }

    /// Takes the idle connections unused for `idleMs` out of the pool for a liveness check
    /// (ping_mode I); the caller returns the live ones with `returnChecked`.
    public func takeIdle(olderThan idleMs: Int64, now: Int64) -> [AJPConnection] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let (stale, fresh) = (idle.filter { now - $0.lastUsedMs > idleMs }, idle.filter { now - $0.lastUsedMs <= idleMs })
        idle = fresh
        inUse += stale.count
        countIdle(-stale.count)
        return stale
    }

    /// Returns connections taken by `takeIdle`: live ones go back to the idle list.
    public func returnChecked(alive: [AJPConnection], closed: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        inUse = max(inUse - alive.count - closed, 0)
        idle.append(contentsOf: alive)
        countIdle(alive.count)
    }

    /// Forgets every idle connection without closing it: after fork, a child must not share the
    /// parent's sockets (there are none in practice, since the parent never connects).
    public func resetAfterFork() {
        idle.removeAll()
        inUse = 0
    }
}
