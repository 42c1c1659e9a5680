/// The settings of one `lb` worker (reference §7.4), read under the lb's own name, with mod_jk
/// 1.2.48's defaults. Member settings (lbfactor, route, …) live in each member's `AJPWorkerSettings`.
public struct LoadBalancerSettings: Equatable, Sendable {
    /// `balance_workers` (deprecated alias `balanced_workers`, used only when `balance_workers` yields no
    /// name): the member names in order. Each member is also a `WorkerDefinition` of kind ajp13.
    public var members: [String]
    /// `sticky_session`: route requests carrying a session id to its member; default **true**.
    public var stickySession: Bool = true
    /// `sticky_session_force`: fail (503) instead of failing over when the session's member is unusable;
    /// default false.
    public var stickySessionForce: Bool = false
    /// `method`: how members are charged (§9.3); default Request.
    public var method: LoadBalancerMethod = .request
    /// `lock`: default Optimistic.
    public var lock: LoadBalancerLock = .optimistic
    /// `retries`: rounds over the members (§9.7); default 2, values < 1 ⇒ 1.
    public var retries: Int = 2
    /// `lb_retries`: members tried per round (also at most the member count); default 2, values < 1 ⇒ 1.
    public var lbRetries: Int = 2
    /// `retry_interval`, **milliseconds**: sleep between rounds; default 100.
    public var retryInterval: Int = 100
    /// `recover_time`, **seconds**: time a member stays in ERROR before it is offered for recovery;
    /// default 60, values < 1 ⇒ 1.
    public var recoverTime: Int = 60
    /// `error_escalation_time`, **seconds**: how long a local error may last before it becomes a global
    /// ERROR; default recover_time / 2 (integer division).
    public var errorEscalationTime: Int = 30
    /// `connect_errors_global` (SwiftJK): a refused or timed-out connect puts the member in ERROR for
    /// every child at once and is not retried on the same member (a connect says nothing about the
    /// request, everything about the member); default true. `false` keeps mod_jk's rule: retry, and
    /// escalate like any other failure (`error_escalation_time`).
    public var connectErrorsGlobal: Bool = true
    /// `health_check_interval` (SwiftJK), **seconds**: how often one process probes the members in
    /// error with a CPing on a fresh connection, so a member rejoins without a user request as the
    /// probe; default 1; 0 turns active checks off (mod_jk: recovery only after recover_time, by a
    /// request).
    public var healthCheckInterval: Int = 1
    /// `health_check_passes` (SwiftJK): consecutive successful probes before the member rejoins;
    /// default 2.
    public var healthCheckPasses: Int = 2
    /// `health_check_uri` (SwiftJK): besides the CPing, the health check GETs this path over AJP and
    /// wants `health_check_status`; nil (default): CPing only. Tomcat answers CPing as soon as its AJP
    /// port is open, before the application is deployed; the URI waits for the application.
    public var healthCheckURI: String?
    /// `health_check_status` (SwiftJK): the status `health_check_uri` must answer; default 200.
    public var healthCheckStatus: Int = 200
    /// `health_check_healthy` (SwiftJK): also probe members that are in service; after
    /// `health_check_passes` failed probes in a row such a member goes to ERR for every child, before a
    /// user request finds it dead or hung. Default false.
    public var healthCheckHealthy: Bool = false
    /// `slow_start` (SwiftJK), **seconds**: after a member comes back from an error state, its share of
    /// the load ramps up from a tenth to its full lbfactor over this time, so a cold JVM is not flooded
    /// (each unit of work charges it `lb_mult` × min(10, slow_start / seconds back)). Not for method
    /// Busyness, which already sends fewer requests to a slow member. Default 10; 0 = mod_jk.
    public var slowStart: Int = 10
    /// `max_reply_timeouts`: reply timeouts tolerated (decayed counter) before a member goes to ERROR;
    /// default 0.
    public var maxReplyTimeouts: Int = 0
    /// `session_cookie`: cookie carrying the session id (case-sensitive); default `JSESSIONID`.
    public var sessionCookie: String = "JSESSIONID"
    /// `session_path`: path parameter carrying the session id, with its leading `;`; default `;jsessionid`.
    public var sessionPath: String = ";jsessionid"
    /// `set_session_cookie`: emit a routing cookie on non-sticky responses (§9.5.6); default false.
    public var setSessionCookie: Bool = false
    /// `session_cookie_path`: path attribute of that cookie; default `/` (the code's default; the
    /// upstream documentation says empty).
    public var sessionCookiePath: String = "/"
    /// `secret`: inherited by every member without its own secret (already applied to the members).
    public var secret: String?
    /// Not an attribute: the largest `max_packet_size` of the members, which mod_jk uses for the lb's
    /// request-body replay buffer (`worker.<lb>.max_packet_size` is accepted but never read).
    public var maxPacketSize: Int = 8192

    /// The defaults of mod_jk 1.2.48 for an lb with these members.
    public init(members: [String]) {
        self.members = members
    }
}

/// `method` of an lb worker, decided by the first character of the value (case-insensitive); anything
/// unrecognised is Request.
public enum LoadBalancerMethod: Hashable, Sendable {
    /// `R`/`r`/`0`, JK_LB_METHOD_REQUESTS: charge every attempt.
    case request
    /// `T`/`t`/`1`, JK_LB_METHOD_TRAFFIC: charge transferred bytes.
    case traffic
    /// `B`/`b`/`2`, JK_LB_METHOD_BUSYNESS: charge requests in flight.
    case busyness
    /// `S`/`s`/`3`, JK_LB_METHOD_SESSIONS: charge requests without a session id.
    case sessions
    /// `N`/`n`/`4`, JK_LB_METHOD_NEXT: like sessions, with rotation.
    case next

    /// `jk_lb_get_method_code`; nil when the first character is not one of the above (mod_jk then uses
    /// Request). So `Session`, `sessions` and `S` all mean Sessions.
    public init?(propertyValue: String) {
        switch PropertyValueParser.firstCharacter(propertyValue) {
        case UInt8(ascii: "r"), UInt8(ascii: "0"): self = .request
        case UInt8(ascii: "t"), UInt8(ascii: "1"): self = .traffic
        case UInt8(ascii: "b"), UInt8(ascii: "2"): self = .busyness
        case UInt8(ascii: "s"), UInt8(ascii: "3"): self = .sessions
        case UInt8(ascii: "n"), UInt8(ascii: "4"): self = .next
        default: return nil
        }
    }
}

/// `lock` of an lb worker (reference §9.11).
public enum LoadBalancerLock: Hashable, Sendable {
    /// `O`/`o`/`0`, JK_LB_LOCK_OPTIMISTIC: process-local locking only.
    case optimistic
    /// `P`/`p`/`1`, JK_LB_LOCK_PESSIMISTIC: shared-memory lock around selection and counters.
    case pessimistic

    /// `jk_lb_get_lock_code`; nil when the first character is not one of the above (mod_jk then uses
    /// Optimistic).
    public init?(propertyValue: String) {
        switch PropertyValueParser.firstCharacter(propertyValue) {
        case UInt8(ascii: "o"), UInt8(ascii: "0"): self = .optimistic
        case UInt8(ascii: "p"), UInt8(ascii: "1"): self = .pessimistic
        default: return nil
        }
    }
}
