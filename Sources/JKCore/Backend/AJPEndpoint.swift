import CJKCore

/// The runtime form of one AJP worker in one process: its resolved address, effective
/// connection settings (units normalised to milliseconds where mod_jk mixes them) and its
/// connection pool. Settings and address change only by status-worker edits (`state`).
public final class AJPEndpoint: @unchecked Sendable {
    /// Effective connection settings derived from the worker's properties (reference §7.3).
    public struct Settings: Sendable, Equatable {
        /// max_packet_size after rounding and clamping.
        public var maxPacketSize = 8192
        /// Attempts per request on this worker, first included (retries).
        public var retries = 2
        /// retry_interval in ms.
        public var retryIntervalMs = 100
        /// socket_connect_timeout in ms (0: the kernel's).
        public var connectTimeoutMs = 0
        /// socket_timeout in seconds (SO_RCVTIMEO/SO_SNDTIMEO; 0: none).
        public var socketTimeoutSeconds = 0
        /// socket_keepalive.
        public var keepAlive = false
        /// socket_buffer in bytes (0: OS default).
        public var socketBuffer = 0
        /// CPONG wait after connect in ms (0: no connect CPing).
        public var connectPingTimeoutMs = 0
        /// CPONG wait before each request in ms (0: no prepost CPing).
        public var prepostPingTimeoutMs = 0
        /// reply_timeout in ms (0: none).
        public var replyTimeoutMs = 0
        /// recovery_options bits.
        public var recoveryOptions: UInt32 = 0
        /// replay_whole_body: only body data beyond the first packet ends recoverability.
        public var replayWholeBody = true
        /// fail_on_status codes (negative: soft).
        public var failOnStatus: [Int] = []
        /// connection_acquire_timeout in ms.
        public var acquireTimeoutMs = 200
        /// connection_pool_timeout in ms (0: never close idle connections).
        public var poolIdleTimeoutMs = 0
        /// connection_pool_size.
        public var poolSize = 1
        /// connection_pool_minsize.
        public var poolMinSize = 1
        /// ping_timeout in ms (CPONG wait for idle-connection checks).
        public var pingTimeoutMs = 10000
        /// Idle time in ms after which maintenance CPings a pooled connection (ping_mode I); 0: never.
        public var idlePingIntervalMs = 0
        /// busy_limit: most concurrent requests across all processes (0: no limit).
        public var busyLimit = 0
        /// secret, if configured (bytes sent in attribute 0x0C).
        public var secret: [UInt8]? = nil

        /// Defaults of mod_jk 1.2.48.
        public init() {}
    }

    /// What a status-worker edit can replace: the settings and the resolved address, with the
    /// address generation that tells pooled connections to an old address apart.
    ///
    /// The settings sit in their own allocation so the request path reads a field through a
    /// pointer, without copying the struct (and retaining its arrays) for every access.
    public final class State: @unchecked Sendable {
        /// Effective settings; immutable for the life of the state.
        public let storage: UnsafeMutablePointer<Settings>
        /// Where to connect; nil when the host did not resolve or the port is 0.
        public let address: BackendAddress?
        /// Bumped whenever host or port change.
        public let addressGeneration: UInt32

        /// Effective settings.
        public var settings: Settings { storage.pointee }

        /// Creates a state.
        public init(settings: Settings, address: BackendAddress?, addressGeneration: UInt32) {
            storage = UnsafeMutablePointer<Settings>.allocate(capacity: 1)
            storage.initialize(to: settings)
            self.address = address
            self.addressGeneration = addressGeneration
        }

        deinit {
            storage.deinitialize(count: 1)
            storage.deallocate()
        }
    }

    /// The worker's name.
    public let name: String
    /// The settings and address in force in this process.
    public let state: SnapshotCell<State>
    /// This process's idle connections.
    public let pool: ConnectionPool
    /// The worker's shared slot (counters, mirrored configuration), set when the segment is
    /// attached in the parent before any fork; nil without shared memory.
    public internal(set) var slot: UnsafeMutablePointer<sjk_slot_t>?
    /// The worker's properties as configured (status output and the base of every edit); nil
    /// for endpoints made directly from `Settings` (tests).
    public let configured: AJPWorkerSettings?
    /// The MPM's threads per child, the default connection_pool_size when settings are re-derived.
    public let threadsPerChild: Int

    /// Effective settings (the current state's), read in place: the state lives as long as the
    /// endpoint's cell, so the pointer stays valid while a request uses it.
    @inline(__always)
    public var settings: Settings {
        _read { yield state.withCurrent { $0.storage }.pointee }
    }

    /// Where to connect; nil when the host did not resolve or the port is 0 (contact disabled).
    @inline(__always)
    public var address: BackendAddress? { state.current.address }

    /// Creates the runtime endpoint.
    public init(name: String, address: BackendAddress?, settings: Settings, configured: AJPWorkerSettings? = nil,
                threadsPerChild: Int = 1) {
        self.name = name
        self.state = SnapshotCell(State(settings: settings, address: address, addressGeneration: 0))
        self.pool = ConnectionPool(size: settings.poolSize, minSize: settings.poolMinSize)
        self.configured = configured
        self.threadsPerChild = threadsPerChild
    }
}

/// recovery_options bits (reference §8.5).
public enum RecoveryOption {
    /// Do not retry after the request reached the backend, before headers.
    public static let noRecoveryAfterRequest: UInt32 = 1
    /// Do not retry after headers were sent to the client.
    public static let noRecoveryAfterHeaders: UInt32 = 2
    /// Hard-close the backend connection on a client error.
    public static let closeOnClientError: UInt32 = 4
    /// Always recover HEAD.
    public static let alwaysRecoverHead: UInt32 = 8
    /// Always recover GET (ignored when bit 8 is set too, as in mod_jk).
    public static let alwaysRecoverGet: UInt32 = 16
}
