/// The settings of one ajp13 worker (reference §7.3) and, for a member of a load balancer, its member
/// settings (§7.5), with mod_jk 1.2.48's defaults and derived defaults already applied.
///
/// Units follow mod_jk and differ between attributes: the name of each property says which.
public struct AJPWorkerSettings: Equatable, Sendable {
    /// `host`: backend host name, IPv4 or IPv6 literal; default `localhost`. Resolved at startup by the C
    /// side. A `host:port` value is kept as it is (mod_jk does not split it either).
    public var host: String = "localhost"
    /// `port`: backend port; default 8009. 0 disables contact (an lb member is then Stopped).
    public var port: Int = 8009
    /// `source`: local address to bind before connecting; default empty (any).
    public var source: String = ""
    /// `prefer_ipv6`: take the first IPv6 address when the host resolves to several; default false.
    public var preferIPv6: Bool = false
    /// `secret`: the AJP secret sent as attribute 0x0C; default none. An lb member without its own secret
    /// inherits the lb's.
    public var secret: String?
    /// `connection_pool_size` (deprecated alias `cachesize`): connections per httpd **process**; nil means
    /// "the MPM default" (ThreadsPerChild on threaded MPMs, 1 on prefork). An explicit negative
    /// `connection_pool_size` counts as unset.
    public var connectionPoolSize: Int?
    /// `connection_pool_minsize`: idle connections kept when shrinking; default (pool size + 1) / 2, nil
    /// when that depends on the MPM default.
    public var connectionPoolMinSize: Int?
    /// `connection_pool_timeout` (deprecated alias `cache_timeout`), **seconds**: close pooled connections
    /// idle longer than this at maintenance; default 0 = never.
    public var connectionPoolTimeout: Int = 0
    /// `connection_acquire_timeout`, **milliseconds**: how long to wait for a free pool slot; default
    /// retries × retry_interval (200).
    public var connectionAcquireTimeout: Int = 200
    /// `socket_timeout`, **seconds**: SO_RCVTIMEO/SO_SNDTIMEO on backend sockets; default 0 = none.
    public var socketTimeout: Int = 0
    /// `socket_connect_timeout`, **milliseconds**: connect timeout; default socket_timeout × 1000.
    public var socketConnectTimeout: Int = 0
    /// `socket_keepalive`: SO_KEEPALIVE; default false.
    public var socketKeepalive: Bool = false
    /// `socket_buffer`, bytes: socket buffer size, 0 = OS default; a value > 0 below max_packet_size is
    /// raised to max_packet_size.
    public var socketBuffer: Int = 0
    /// `ping_mode`: when to send CPING; default none.
    public var pingMode: PingMode = []
    /// `ping_timeout`, **milliseconds**: CPONG wait, and the default for the connect/prepost timeouts;
    /// default 10000.
    public var pingTimeout: Int = 10000
    /// `connect_timeout`, **milliseconds**: CPONG wait after connecting; > 0 enables connect-CPing.
    /// Default 0, or ping_timeout when ping_mode contains C.
    public var connectTimeout: Int = 0
    /// `prepost_timeout`, **milliseconds**: CPONG wait before each request; > 0 enables prepost-CPing.
    /// Default 0, or ping_timeout when ping_mode contains P.
    public var prepostTimeout: Int = 0
    /// `reply_timeout`, **milliseconds**: maximum wait for each packet from the backend; default 0 = none.
    public var replyTimeout: Int = 0
    /// `connection_ping_interval`, **seconds**: idle time after which a pooled connection is CPinged at
    /// maintenance. Default 0, or ping_timeout / 100 when ping_mode contains I.
    public var connectionPingInterval: Int = 0
    /// `recovery_options`: bit mask of §8.5; default 0 (retry everything).
    public var recoveryOptions: RecoveryOptions = []
    /// `replay_whole_body` (SwiftJK): a request whose whole body fitted in the first body packet stays
    /// retryable after the container asked for more and got only the end of the body; default true.
    /// false is mod_jk's rule: any GET_BODY_CHUNK makes the request unrecoverable (reference §8.4).
    public var replayWholeBody: Bool = true
    /// `retries`: attempts of one request on this worker, the first included; default 2, values < 1 ⇒ 1.
    public var retries: Int = 2
    /// `retry_interval`, **milliseconds**: sleep before each retry; default 100.
    public var retryInterval: Int = 100
    /// `busy_limit`: maximum concurrent requests across all processes; default 0 = none.
    public var busyLimit: Int = 0
    /// `max_packet_size`, bytes: AJP packet size; rounded up to a multiple of 1024 and clamped to
    /// 8192…65536; default 8192. Must equal Tomcat's `packetSize`.
    public var maxPacketSize: Int = 8192
    /// `fail_on_status`: response statuses treated as a worker failure; a negative code is "soft" (§8.6).
    public var failOnStatus: [Int] = []
    /// `lbfactor` (member): integer weight; default 1, values < 1 (and garbage) ⇒ 1.
    public var lbfactor: Int = 1
    /// `distance` (member): lower is preferred; default 0.
    public var distance: Int = 0
    /// `route` (member; deprecated alias `jvm_route`): what follows the `.` in session ids (Tomcat's
    /// jvmRoute); default the worker name.
    public var route: String
    /// `domain` (member): replication group; default empty, or the part of `route` before its first `.`.
    public var domain: String = ""
    /// `redirect` (member): **route** of the preferred failover member; default empty.
    public var redirect: String = ""
    /// `activation` (member; deprecated `disabled`/`stopped`): default active. A member with port 0 is
    /// stopped.
    public var activation: MemberActivation = .active

    /// The defaults of mod_jk 1.2.48 for a worker called `workerName` (its route).
    public init(workerName: String) {
        route = workerName
    }
}

/// When the ajp13 worker sends CPING (`ping_mode` letters, any case, concatenated: `C`, `P`, `I`, or `A`
/// for all three).
public struct PingMode: OptionSet, Hashable, Sendable {
    /// The mod_jk bit mask (`AJP_CPING_*`).
    public var rawValue: Int

    /// Creates a mode from its bit mask.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `C`, AJP_CPING_CONNECT 1: CPING after connecting, waiting connect_timeout.
    public static let connect = PingMode(rawValue: 1)
    /// `P`, AJP_CPING_PREPOST 2: CPING before each request, waiting prepost_timeout.
    public static let prepost = PingMode(rawValue: 2)
    /// `I`, AJP_CPING_INTERVAL 4: CPING idle pooled connections at maintenance.
    public static let interval = PingMode(rawValue: 4)
    /// `A`: all three.
    public static let all: PingMode = [.connect, .prepost, .interval]

    /// `jk_ajp_get_cping_mode`: collects the letters C/P/I (any case), other characters are ignored, `A`
    /// means all and ends the scan. Nil when no letter is valid (the attribute keeps its default).
    public init?(propertyValue: String) {
        var mode: PingMode = []
        scan: for byte in propertyValue.utf8 {
            switch byte | 0x20 {
            case UInt8(ascii: "c"): mode.insert(.connect)
            case UInt8(ascii: "p"): mode.insert(.prepost)
            case UInt8(ascii: "i"): mode.insert(.interval)
            case UInt8(ascii: "a"):
                mode = .all
                break scan
            default: continue
            }
        }
        guard !mode.isEmpty else { return nil }
        self = mode
    }
}

/// `recovery_options` (reference §8.5). Every bit of the configured number is kept, also unknown ones.
public struct RecoveryOptions: OptionSet, Hashable, Sendable {
    /// The configured number.
    public var rawValue: Int

    /// Creates options from the configured number.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// 1, RECOVER_ABORT_IF_TCGETREQUEST: no retry/failover once the backend received the request and
    /// before headers reached the client.
    public static let abortIfBackendReceivedRequest = RecoveryOptions(rawValue: 1)
    /// 2, RECOVER_ABORT_IF_TCSENDHEADER: no retry/failover once headers were sent to the client.
    public static let abortIfHeadersSent = RecoveryOptions(rawValue: 2)
    /// 4, RECOVER_ABORT_IF_CLIENTERROR: hard-close the backend connection on a client read/write error.
    public static let closeOnClientError = RecoveryOptions(rawValue: 4)
    /// 8, RECOVER_ALWAYS_HTTP_HEAD: always recover HEAD requests, even with bit 1/2.
    public static let alwaysRecoverHEAD = RecoveryOptions(rawValue: 8)
    /// 16, RECOVER_ALWAYS_HTTP_GET: always recover GET requests, even with bit 1/2 (mod_jk ignores it
    /// when bit 8 is also set).
    public static let alwaysRecoverGET = RecoveryOptions(rawValue: 16)
}

/// A member's activation (reference §9.10).
public enum MemberActivation: Hashable, Sendable {
    /// `A`/`a`/`0`, ACT: new and existing sessions.
    case active
    /// `D`/`d`/`1`, DIS: existing sessions only (and redirect target).
    case disabled
    /// `S`/`s`/`2`, STP: no requests.
    case stopped

    /// `jk_lb_get_activation_code`: decided by the first character; nil when it is none of
    /// `a A 0 d D 1 s S 2` (mod_jk then uses Active).
    public init?(propertyValue: String) {
        switch PropertyValueParser.firstCharacter(propertyValue) {
        case UInt8(ascii: "a"), UInt8(ascii: "0"): self = .active
        case UInt8(ascii: "d"), UInt8(ascii: "1"): self = .disabled
        case UInt8(ascii: "s"), UInt8(ascii: "2"): self = .stopped
        default: return nil
        }
    }
}
