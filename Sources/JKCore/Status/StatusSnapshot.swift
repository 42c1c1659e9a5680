import CJKCore

/// Everything the status worker shows, read in one locked section from the shared slots and the
/// immutable configuration, so every format prints one consistent picture taken across all httpd
/// children (status-worker.md §1.5, §1.6).
public struct StatusSnapshot: Sendable {
    /// The settings of an ajp13 worker as the status worker prints them (configured units).
    public struct AJPConfig: Sendable, Equatable {
        /// `host`.
        public var host = ""
        /// `port`.
        public var port = 0
        /// `address`: the resolved numeric address and port, or `-` when unresolved.
        public var address = "-"
        /// `source` address, `undefined` when none.
        public var source = "undefined"
        /// `connection_pool_timeout`, seconds.
        public var connectionPoolTimeout = 0
        /// `ping_timeout`, ms.
        public var pingTimeout = 0
        /// `connect_timeout`, ms.
        public var connectTimeout = 0
        /// `prepost_timeout`, ms.
        public var prepostTimeout = 0
        /// `reply_timeout`, ms.
        public var replyTimeout = 0
        /// `retries`.
        public var retries = 0
        /// `connection_ping_interval`, seconds.
        public var connectionPingInterval = 0
        /// `recovery_options`.
        public var recoveryOptions = 0
        /// `busy_limit`.
        public var busyLimit = 0
        /// `max_packet_size`.
        public var maxPacketSize = 0
    }

    /// The counters of an ajp13 worker slot.
    public struct AJPCounters: Sendable, Equatable {
        /// Requests (`used`; lb members print it as `elected`).
        public var used: UInt64 = 0
        /// `errors` of the worker itself.
        public var errors: UInt64 = 0
        /// `client_errors`.
        public var clientErrors: UInt64 = 0
        /// `reply_timeouts` (decayed).
        public var replyTimeouts = 0
        /// `transferred`: bytes sent to the backend.
        public var transferred: UInt64 = 0
        /// `read`: bytes read from the backend.
        public var read: UInt64 = 0
        /// `busy`.
        public var busy = 0
        /// `max_busy`.
        public var maxBusy = 0
        /// `connected`.
        public var connected = 0
        /// `max_connected`.
        public var maxConnected = 0
        /// `last_reset_at`, Unix seconds.
        public var lastReset: Int64 = 0
        /// Beyond mod_jk: the metrics of the worker slot.
        public var metrics = Metrics()
    }

    /// The metrics SwiftJK keeps per ajp13 worker beyond mod_jk's counters.
    public struct Metrics: Sendable, Equatable {
        /// Backend responses by status class (index 0: 1xx ... 4: 5xx).
        public var responses: [UInt64] = Array(repeating: 0, count: 5)
        /// Failed attempts by kind (`SJK_FAIL_*`).
        public var failures: [UInt64] = Array(repeating: 0, count: Int(SJK_FAIL_KINDS))
        /// Retries on the same worker.
        public var retries: UInt64 = 0
        /// Time to the first backend packet: per-bucket counts and the sum in µs.
        public var firstByteBuckets: [UInt64] = Array(repeating: 0, count: Int(SJK_HISTOGRAM_BUCKETS))
        /// Time to the end of the exchange: per-bucket counts and the sum in µs.
        public var totalBuckets: [UInt64] = Array(repeating: 0, count: Int(SJK_HISTOGRAM_BUCKETS))
        /// Sum of the first-byte times, µs.
        public var firstByteSumUs: UInt64 = 0
        /// Sum of the total times, µs.
        public var totalSumUs: UInt64 = 0
        /// Idle pooled connections across all processes.
        public var idleConnections = 0
    }

    /// One member of an lb.
    public struct Member: Sendable, Equatable {
        /// The member's worker name.
        public var name: String
        /// Index within the lb.
        public var index: Int
        /// Its ajp13 settings.
        public var config: AJPConfig
        /// Its ajp13 counters.
        public var counters: AJPCounters
        /// `activation`.
        public var activation: MemberActivation
        /// `lbfactor`.
        public var lbfactor: Int
        /// `route`.
        public var route: String
        /// `redirect`.
        public var redirect: String
        /// `domain`.
        public var domain: String
        /// `distance`.
        public var distance: Int
        /// `state`.
        public var state: MemberState
        /// `lbmult`.
        public var lbmult: UInt64
        /// `lbvalue`.
        public var lbvalue: UInt64
        /// `sessions`.
        public var sessions: UInt64
        /// `errors` of the member.
        public var errors: UInt64
        /// `time_to_recover_min` / `_max`, seconds (0 unless in error).
        public var timeToRecover: (min: Int64, max: Int64)
        /// First error time of the current error run, Unix seconds, 0: none.
        public var errorTime: Int64
        /// Last state change (other than OK/IDLE <-> OK), Unix seconds, 0: none since start.
        public var stateChangedAt: Int64 = 0
        /// Last request routed to it by its session, Unix seconds, 0: none.
        public var lastStickyTime: Int64 = 0

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.name == rhs.name && lhs.index == rhs.index && lhs.config == rhs.config && lhs.counters == rhs.counters
                && lhs.activation == rhs.activation && lhs.lbfactor == rhs.lbfactor && lhs.route == rhs.route
                && lhs.redirect == rhs.redirect && lhs.domain == rhs.domain && lhs.distance == rhs.distance
                && lhs.state == rhs.state && lhs.lbmult == rhs.lbmult && lhs.lbvalue == rhs.lbvalue
                && lhs.sessions == rhs.sessions && lhs.errors == rhs.errors && lhs.errorTime == rhs.errorTime
                && lhs.timeToRecover == rhs.timeToRecover && lhs.stateChangedAt == rhs.stateChangedAt
                && lhs.lastStickyTime == rhs.lastStickyTime
        }
    }

    /// One URI map entry that names a worker.
    public struct MapEntry: Sendable, Equatable {
        /// `server`: the virtual host's `name:port`.
        public var server: String
        /// `uri`.
        public var uri: String
        /// `type`: `Exact`/`Wildchar`, prefixed by `Disabled ` or `Unmount `.
        public var type: String
        /// `source`: `worker definition`, `JkMount` or `uriworkermap`.
        public var source: String
        /// Rule extensions, as mod_jk prints them.
        public var replyTimeout: Int
        /// `sticky_ignore`.
        public var stickyIgnore: Int
        /// `stateless`.
        public var stateless: Int
        /// `fail_on_status`.
        public var failOnStatus: String
        /// `active`.
        public var active: String
        /// `disabled`.
        public var disabled: String
        /// `stopped`.
        public var stopped: String
        /// `use_server_errors`.
        public var useServerErrors: Int
    }

    /// An lb worker.
    public struct Balancer: Sendable, Equatable {
        /// Worker index.
        public var worker: Int
        /// Name.
        public var name: String
        /// The settings in force (runtime edits included).
        public var settings: LoadBalancerSettings
        /// Members in `balance_workers` order.
        public var members: [Member]
        /// Rating counts.
        public var good = 0, degraded = 0, bad = 0
        /// lb `busy` / `max_busy`.
        public var busy = 0, maxBusy = 0
        /// `time_to_maintenance_min` / `_max`.
        public var timeToMaintenance: (min: Int64, max: Int64) = (0, 0)
        /// `last_reset_at`.
        public var lastReset: Int64 = 0
        /// URI map entries naming the lb.
        public var maps: [MapEntry] = []
        /// Requests that moved on to another member after a failure.
        public var failovers: UInt64 = 0
        /// Sticky outcomes: route found, route's member unavailable, no session.
        public var sticky: [UInt64] = [0, 0, 0]

        public static func == (lhs: Balancer, rhs: Balancer) -> Bool {
            lhs.worker == rhs.worker && lhs.name == rhs.name && lhs.settings == rhs.settings
                && lhs.members == rhs.members && lhs.good == rhs.good && lhs.degraded == rhs.degraded
                && lhs.bad == rhs.bad && lhs.busy == rhs.busy && lhs.maxBusy == rhs.maxBusy
                && lhs.timeToMaintenance == rhs.timeToMaintenance && lhs.lastReset == rhs.lastReset
                && lhs.maps == rhs.maps && lhs.failovers == rhs.failovers && lhs.sticky == rhs.sticky
        }
    }

    /// A plain ajp13 worker.
    public struct AJPWorker: Sendable, Equatable {
        /// Worker index.
        public var worker: Int
        /// Name.
        public var name: String
        /// Its settings.
        public var config: AJPConfig
        /// Its counters.
        public var counters: AJPCounters
        /// Last error time, Unix seconds, 0: none.
        public var errorTime: Int64
        /// URI map entries naming it.
        public var maps: [MapEntry] = []
    }

    /// The lb workers of `worker.list`, in that order.
    public var balancers: [Balancer] = []
    /// The ajp13 workers of `worker.list`, in that order.
    public var ajpWorkers: [AJPWorker] = []
    /// Unix time the snapshot was taken.
    public var now: Int64 = 0
    /// The segment's configuration generation (status-worker edits so far).
    public var configGeneration: UInt32 = 0
    /// Unix time the configuration was loaded.
    public var configLoadedAt: Int64 = 0
    /// Settings whose runtime value differs from workers.properties (status-worker edits).
    public var runtimeChanges: [RuntimeFields.Difference] = []
}
