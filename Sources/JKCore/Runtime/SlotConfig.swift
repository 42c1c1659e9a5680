import CJKCore

/// Reading and writing the runtime-editable configuration mirrored in a slot
/// (`sjk_slot_config_t`): the three kinds of slot each use their own fields (lb settings,
/// member settings, ajp13 worker settings). Callers hold the segment lock.
extension sjk_slot_config_t {
    /// Which fixed string field of the record.
    public enum StringField: Sendable {
        /// Member `route`.
        case route
        /// Member `domain`.
        case domain
        /// Member `redirect`.
        case redirect
        /// ajp13 `host`.
        case host
    }

    /// The string in `field` (bytes up to the first NUL, at most `SJK_SHM_STR_SIZE - 1`).
    public func string(_ field: StringField) -> String {
        var copy = self
        return withUnsafeBytes(of: &copy) { whole in
            let range = Self.range(of: field)
            let bytes = UnsafeRawBufferPointer(rebasing: whole[range])
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        }
    }

    /// Stores `value` in `field`; false (nothing stored) when it does not fit with its NUL.
    @discardableResult
    public mutating func setString(_ field: StringField, _ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count < Int(SJK_SHM_STR_SIZE), !bytes.contains(0) else { return false }
        let range = Self.range(of: field)
        withUnsafeMutableBytes(of: &self) { whole in
            let target = UnsafeMutableRawBufferPointer(rebasing: whole[range])
            target.initializeMemory(as: UInt8.self, repeating: 0)
            target.copyBytes(from: bytes)
        }
        return true
    }

    private static func range(of field: StringField) -> Range<Int> {
        let offset: Int? = switch field {
        case .route: MemoryLayout<sjk_slot_config_t>.offset(of: \.route)
        case .domain: MemoryLayout<sjk_slot_config_t>.offset(of: \.domain)
        case .redirect: MemoryLayout<sjk_slot_config_t>.offset(of: \.redirect)
        case .host: MemoryLayout<sjk_slot_config_t>.offset(of: \.host)
        }
        let start = offset ?? 0
        return start..<(start + Int(SJK_SHM_STR_SIZE))
    }

    // MARK: lb settings

    /// Writes the editable lb settings.
    public mutating func store(_ settings: LoadBalancerSettings) {
        sticky_session = settings.stickySession ? 1 : 0
        sticky_session_force = settings.stickySessionForce ? 1 : 0
        lb_retries = Int32(clamping: settings.retries)
        lb_retry_interval = Int32(clamping: settings.retryInterval)
        recover_time = Int32(clamping: settings.recoverTime)
        error_escalation_time = Int32(clamping: settings.errorEscalationTime)
        max_reply_timeouts = Int32(clamping: settings.maxReplyTimeouts)
        method = settings.method.statusCode
        lock = settings.lock == .pessimistic ? 1 : 0
    }

    /// `settings` with the editable lb fields replaced by this record's.
    public func applied(to settings: LoadBalancerSettings) -> LoadBalancerSettings {
        var result = settings
        result.stickySession = sticky_session != 0
        result.stickySessionForce = sticky_session_force != 0
        result.retries = Int(lb_retries)
        result.retryInterval = Int(lb_retry_interval)
        result.recoverTime = Int(recover_time)
        result.errorEscalationTime = Int(error_escalation_time)
        result.maxReplyTimeouts = Int(max_reply_timeouts)
        result.method = LoadBalancerMethod(statusCode: method)
        result.lock = lock == 1 ? .pessimistic : .optimistic
        return result
    }

    // MARK: member and ajp13 settings

    /// Writes the editable member fields (route, domain, redirect); lbfactor, distance and
    /// activation live in the slot itself.
    public mutating func storeMember(_ settings: AJPWorkerSettings) {
        setString(.route, String(settings.route.utf8.prefix(Int(SJK_SHM_STR_SIZE) - 1)) ?? "")
        setString(.domain, String(settings.domain.utf8.prefix(Int(SJK_SHM_STR_SIZE) - 1)) ?? "")
        setString(.redirect, String(settings.redirect.utf8.prefix(Int(SJK_SHM_STR_SIZE) - 1)) ?? "")
    }

    /// Writes the editable ajp13 worker fields.
    public mutating func storeWorker(_ settings: AJPWorkerSettings) {
        setString(.host, String(settings.host.utf8.prefix(Int(SJK_SHM_STR_SIZE) - 1)) ?? "")
        port = Int32(clamping: settings.port)
        connection_pool_timeout = Int32(clamping: settings.connectionPoolTimeout)
        ping_timeout = Int32(clamping: settings.pingTimeout)
        connect_timeout = Int32(clamping: settings.connectTimeout)
        prepost_timeout = Int32(clamping: settings.prepostTimeout)
        reply_timeout = Int32(clamping: settings.replyTimeout)
        retries = Int32(clamping: settings.retries)
        retry_interval = Int32(clamping: settings.retryInterval)
        connection_ping_interval = Int32(clamping: settings.connectionPingInterval)
        recovery_options = Int32(truncatingIfNeeded: settings.recoveryOptions.rawValue)
        busy_limit = Int32(clamping: settings.busyLimit)
        max_packet_size = Int32(clamping: settings.maxPacketSize)
    }

    /// `settings` with the editable ajp13 fields replaced by this record's.
    public func appliedWorker(to settings: AJPWorkerSettings) -> AJPWorkerSettings {
        var result = settings
        result.host = string(.host)
        result.port = Int(port)
        result.connectionPoolTimeout = Int(connection_pool_timeout)
        result.pingTimeout = Int(ping_timeout)
        result.connectTimeout = Int(connect_timeout)
        result.prepostTimeout = Int(prepost_timeout)
        result.replyTimeout = Int(reply_timeout)
        result.retries = Int(retries)
        result.retryInterval = Int(retry_interval)
        result.connectionPingInterval = Int(connection_ping_interval)
        result.recoveryOptions = RecoveryOptions(rawValue: Int(UInt32(bitPattern: recovery_options)))
        result.busyLimit = Int(busy_limit)
        result.maxPacketSize = Int(max_packet_size)
        return result
    }

    /// `settings` with the member fields (route, domain, redirect) replaced by this record's.
    public func appliedMember(to settings: AJPWorkerSettings) -> AJPWorkerSettings {
        var result = settings
        result.route = string(.route)
        result.domain = string(.domain)
        result.redirect = string(.redirect)
        return result
    }
}

extension LoadBalancerMethod {
    /// mod_jk's JK_LB_METHOD_* number: 0 Request, 1 Traffic, 2 Busyness, 3 Sessions, 4 Next.
    public var statusCode: Int32 {
        switch self {
        case .request: 0
        case .traffic: 1
        case .busyness: 2
        case .sessions: 3
        case .next: 4
        }
    }

    /// The method with mod_jk's number `code` (unknown numbers: Request).
    public init(statusCode code: Int32) {
        switch code {
        case 1: self = .traffic
        case 2: self = .busyness
        case 3: self = .sessions
        case 4: self = .next
        default: self = .request
        }
    }

    /// The name the status worker prints: `Request`, `Traffic`, `Busyness`, `Sessions`, `Next`.
    public var statusName: String {
        switch self {
        case .request: "Request"
        case .traffic: "Traffic"
        case .busyness: "Busyness"
        case .sessions: "Sessions"
        case .next: "Next"
        }
    }
}
