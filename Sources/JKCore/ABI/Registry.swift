import CJKCore
import Glibc

/// The runtime form of one configured worker.
public enum WorkerRuntime: Sendable {
    /// An ajp13 worker with its connection pool.
    case ajp(AJPEndpoint)
    /// A load balancer.
    case loadBalancer(LoadBalancerRuntime)
    /// A status worker.
    case status(StatusWorkerSettings)
    /// A worker of a type SwiftJK does not serve (ajp12, ajp14, jni): requests get 503.
    case unsupported(String)
}

/// Everything `sjk_config_t` stands for: the validated workers, their runtimes, and the URI map
/// of every Apache server. Immutable after creation except for per-process pools and
/// mount-file reloads, which guard themselves.
public final class Registry: @unchecked Sendable {
    /// The validated configuration.
    public let configuration: WorkersConfiguration
    /// One runtime per worker, same order as `configuration.workers`.
    public let runtimes: [WorkerRuntime]
    /// One map per Apache server; index 0 is the main server.
    public let servers: [ServerMap]
    /// Worker names and type names as NUL-terminated C strings the shim may borrow.
    private let cNames: [(name: UnsafeMutablePointer<CChar>, type: UnsafeMutablePointer<CChar>)]
    /// Name → index, for JK_WORKER_NAME lookups.
    private let indexByName: [String: Int32]
    /// Every ajp13 endpoint, for maintenance.
    public let endpoints: [AJPEndpoint]
    /// Periodic upkeep of this process's connections.
    public let maintenance: Maintenance
    /// True when the shim's watchdog thread runs maintenance (then requests do not).
    public let hasWatchdog: Bool
    /// JkWatchdogInterval.
    public let watchdogSeconds: Int
    /// Shared slots: one per worker, then one per (lb, member) pair (`memberSlotBase`).
    public let slotCount: Int
    /// Every lb runtime.
    public let balancers: [LoadBalancerRuntime]
    /// The shared segment, attached once in the parent (post_config) before any fork.
    public private(set) var segment: SharedSegment?
    /// The segment's header, set with `segment`: the request path's checks read it without
    /// retaining the segment.
    public private(set) var segmentHeader: UnsafeMutablePointer<sjk_shm_header_t>?
    /// The segment's `config_generation` this process last applied (read and written atomically).
    let appliedGeneration: UnsafeMutablePointer<UInt32>
    /// Set (to 1, atomically) by the first run of the shim's timer thread in this process: from then
    /// on the timer runs maintenance at least every `worker.maintain` seconds, so requests skip it.
    let timerActive: UnsafeMutablePointer<UInt32>
    /// Serialises this process's refreshes after status-worker edits.
    let refreshLock = ProcessLock()
    /// Unix time at which the configuration was loaded (status worker's `last_reset_*` base).
    public let loadedAt = WallClock.seconds()

    /// Creates the registry.
    public init(configuration: WorkersConfiguration, runtimes: [WorkerRuntime], servers: [ServerMap],
                watchdogSeconds: Int = 0) {
        self.configuration = configuration
        endpoints = runtimes.compactMap { if case .ajp(let endpoint) = $0 { return endpoint } else { return nil } }
        maintenance = Maintenance(intervalSeconds: configuration.maintainInterval)
        hasWatchdog = watchdogSeconds > 0
        self.watchdogSeconds = watchdogSeconds
        balancers = runtimes.compactMap { if case .loadBalancer(let lb) = $0 { return lb } else { return nil } }
        slotCount = runtimes.count + balancers.reduce(0) { $0 + $1.topology.memberCount }
        self.runtimes = runtimes
        self.servers = servers
        cNames = configuration.workers.map { (strdup($0.name), strdup($0.kind.typeName)) }
        var index: [String: Int32] = [:]
        for (position, worker) in configuration.workers.enumerated() {
            index[worker.name] = Int32(position)
        }
        indexByName = index
        appliedGeneration = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        appliedGeneration.initialize(to: 0)
        timerActive = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        timerActive.initialize(to: 0)
        // The request path's lazy globals, initialised here, in httpd's parent process: a prefork
        // child would otherwise initialise (write) them on its first request, on pages of its own.
        _ = RuleExtensionsRef.none
        _ = ActivationOverrides.none
    }

    deinit {
        appliedGeneration.deallocate()
        timerActive.deallocate()
        for entry in cNames {
            free(entry.name)
            free(entry.type)
        }
    }

    /// The index of a worker by name, or -1.
    public func workerIndex(_ name: String) -> Int32 { indexByName[name] ?? -1 }

    /// Borrowed C views of a worker's name and type.
    public func cName(_ worker: Int) -> (name: UnsafeMutablePointer<CChar>, type: UnsafeMutablePointer<CChar>)? {
        guard worker >= 0, worker < cNames.count else { return nil }
        return cNames[worker]
    }

    /// Takes the segment the shim created and fills the slots' initial values (parent only).
    /// Returns false when an lb's slots do not fit.
    @discardableResult
    public func attach(_ segment: SharedSegment) -> Bool {
        self.segment = segment
        self.segmentHeader = segment.header
        let now = WallClock.seconds()
        return segment.withLock { slots in
            for index in slots.indices { slots[index].state = Int32(SJK_STATE_IDLE) }
            segment.header.pointee.last_maintain_time = now
            segment.header.pointee.config_generation = 0
            StatusNonce.generate(into: segment.header)
            publishConfiguredValues(slots, now: now)
            return balancers.allSatisfy { $0.attach(slots, now: now) }
        }
    }

    /// Balancer maintenance (reference §9.9), elected once per `worker.maintain` across all
    /// processes. The election time is read without the lock first, so requests between
    /// maintenance runs take no lock here.
    public func maintainBalancersIfDue(now: Int64 = WallClock.seconds()) {
        let interval = Int64(configuration.maintainInterval)
        guard !balancers.isEmpty, interval > 0, let header = segmentHeader,
              now - header.pointee.last_maintain_time >= interval, let segment else { return }
        segment.withLock { _ in
            guard BalancerMaintenance.claimGlobalRun(lastRun: &segment.header.pointee.last_maintain_time, now: now,
                                                     interval: configuration.maintainInterval) else { return }
            for balancer in balancers {
                if let slots = balancer.slots { BalancerMaintenance.maintain(slots, now: now) }
            }
        }
    }

    /// Seconds between runs of the shim's timer thread: JkWatchdogInterval when set; otherwise
    /// worker.maintain when there are balancers, so an idle server still recovers members in
    /// time (mod_jk needs a request to trigger it); 0 for none.
    public var timerIntervalSeconds: Int {
        let checks = balancers.map(\.configuredSettings.healthCheckInterval).filter { $0 > 0 }.min()
        if hasWatchdog { return checks.map { min($0, watchdogSeconds) } ?? watchdogSeconds }
        guard !balancers.isEmpty else { return 0 }
        let maintain = max(configuration.maintainInterval, 0)
        guard let checks else { return maintain }
        return maintain > 0 ? min(maintain, checks) : checks
    }

    /// True when requests should run maintenance themselves: no watchdog, and no timer thread has
    /// run in this process yet.
    @inline(__always)
    var requestsMaintain: Bool {
        !hasWatchdog && sjk_atomic_load_u32(timerActive) == 0
    }

    /// Called by every run of the shim's timer thread.
    func timerRan() {
        if sjk_atomic_load_u32(timerActive) == 0 { sjk_atomic_store_u32(timerActive, 1) }
    }

    /// Forgets connections inherited through fork (there are none: the parent never connects).
    public func childInit() {
        sjk_atomic_store_u32(timerActive, 0)
        for endpoint in endpoints { endpoint.pool.resetAfterFork() }
        maintenance.resetAfterFork()
    }
}
