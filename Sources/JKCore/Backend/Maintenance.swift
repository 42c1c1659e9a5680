import Glibc

/// Periodic per-process upkeep of the backend connections (reference §8.1, §7.1 `worker.maintain`):
/// close pooled connections idle longer than `connection_pool_timeout` (keeping
/// `connection_pool_minsize`), and CPing those idle longer than `connection_ping_interval` when
/// `ping_mode` has I, closing the ones that do not answer.
///
/// It runs at most once per `worker.maintain` seconds, either from the request path (as mod_jk
/// does without a watchdog) or from the shim's watchdog thread (`JkWatchdogInterval`). Only one
/// thread runs it at a time: the others skip it (trylock), so no request waits for it.
public final class Maintenance: @unchecked Sendable {
    private let intervalMs: Int64
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var lastRunMs: Int64

    /// `intervalSeconds` <= 0 disables maintenance entirely, as in mod_jk.
    public init(intervalSeconds: Int) {
        intervalMs = Int64(intervalSeconds) &* 1000
        lastRunMs = BackendSocket.nowMs()
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs the upkeep over `endpoints` if the interval has passed since the last run.
    /// Returns true when it ran.
    @discardableResult
    public func runIfDue(_ endpoints: [AJPEndpoint], now: Int64 = BackendSocket.nowMs()) -> Bool {
        guard intervalMs > 0, pthread_mutex_trylock(mutex) == 0 else { return false }
        defer { pthread_mutex_unlock(mutex) }
        guard now - lastRunMs >= intervalMs else { return false }
        lastRunMs = now
        for endpoint in endpoints {
            Self.maintain(endpoint, now: now)
        }
        return true
    }

    /// Resets the clock after fork so every child starts a fresh interval.
    public func resetAfterFork() {
        lastRunMs = BackendSocket.nowMs()
    }

    private static func maintain(_ endpoint: AJPEndpoint, now: Int64) {
        let settings = endpoint.settings
        if settings.poolIdleTimeoutMs > 0 {
            endpoint.pool.closeIdle(olderThan: Int64(settings.poolIdleTimeoutMs), now: now)
        }
        if settings.idlePingIntervalMs > 0 {
            let candidates = endpoint.pool.takeIdle(olderThan: Int64(settings.idlePingIntervalMs), now: now)
            var alive: [AJPConnection] = []
            for connection in candidates {
                if connection.ping(timeoutMs: settings.pingTimeoutMs) {
                    connection.lastUsedMs = BackendSocket.nowMs()
                    alive.append(connection)
                } else {
                    connection.close()
                }
            }
            endpoint.pool.returnChecked(alive: alive, closed: candidates.count - alive.count)
        }
    }
}
