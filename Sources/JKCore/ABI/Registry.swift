import CJKCore
import Glibc

/// The runtime form of one configured worker.
public enum WorkerRuntime: Sendable {
    /// An ajp13 worker with its connection pool.
    case ajp(AJPEndpoint)
    /// A load balancer over member worker indices (served by the balancer issue's code).
    case loadBalancer(members: [Int])
    /// A status worker.
    case status
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
    /// Shared slots: one per worker, then one per (lb, member) pair (`memberSlotBase`).
    public let slotCount: Int
    /// For each lb worker index, the slot index of its first member.
    public let memberSlotBase: [Int: Int]
    /// The shared segment, attached once in the parent (post_config) before any fork.
    public private(set) var segment: SharedSegment?

    /// Creates the registry.
    public init(configuration: WorkersConfiguration, runtimes: [WorkerRuntime], servers: [ServerMap],
                watchdogSeconds: Int = 0) {
        self.configuration = configuration
        endpoints = runtimes.compactMap { if case .ajp(let endpoint) = $0 { return endpoint } else { return nil } }
        maintenance = Maintenance(intervalSeconds: configuration.maintainInterval)
        hasWatchdog = watchdogSeconds > 0
        var next = runtimes.count
        var bases: [Int: Int] = [:]
        for (index, runtime) in runtimes.enumerated() {
            if case .loadBalancer(let members) = runtime {
                bases[index] = next
                next += members.count
            }
        }
        slotCount = next
        memberSlotBase = bases
        self.runtimes = runtimes
        self.servers = servers
        cNames = configuration.workers.map { (strdup($0.name), strdup($0.kind.typeName)) }
        var index: [String: Int32] = [:]
        for (position, worker) in configuration.workers.enumerated() {
            index[worker.name] = Int32(position)
        }
        indexByName = index
    }

    deinit {
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
    public func attach(_ segment: SharedSegment) {
        self.segment = segment
        segment.withLock { slots in
            for index in slots.indices { slots[index].state = Int32(SJK_STATE_IDLE) }
            for (worker, runtime) in runtimes.enumerated() {
                guard case .loadBalancer(let members) = runtime, let base = memberSlotBase[worker] else { continue }
                for (position, member) in members.enumerated() where base + position < slots.count {
                    guard case .ajp13(let settings) = configuration.workers[member].kind else { continue }
                    slots[base + position].lbfactor = Int32(clamping: settings.lbfactor)
                    slots[base + position].distance = Int32(clamping: settings.distance)
                    slots[base + position].activation = settings.activation.slotValue
                    slots[base + position].lb_mult = 1
                }
            }
        }
    }

    /// Forgets connections inherited through fork (there are none: the parent never connects).
    public func childInit() {
        for endpoint in endpoints { endpoint.pool.resetAfterFork() }
        maintenance.resetAfterFork()
    }
}

extension MemberActivation {
    /// The SJK_ACTIVATION_* code stored in shared slots.
    public var slotValue: Int32 {
        switch self {
        case .active: return Int32(SJK_ACTIVATION_ACTIVE)
        case .disabled: return Int32(SJK_ACTIVATION_DISABLED)
        case .stopped: return Int32(SJK_ACTIVATION_STOPPED)
        }
    }
}
