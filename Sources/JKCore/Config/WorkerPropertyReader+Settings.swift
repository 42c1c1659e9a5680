/// Building each worker type's settings from its properties, in the order and with the defaults of
/// mod_jk 1.2.48 (`ajp_validate`/`ajp_init`, lb `validate`/`init`, status `init`).
extension WorkerPropertyReader {
    /// The ajp13 settings of this worker, member attributes included. Length errors are logged; the
    /// result is still returned so that later checks can run.
    func ajp13Settings(fallback location: SourceLocation?, log: inout DiagnosticLog) -> AJPWorkerSettings {
        var settings = AJPWorkerSettings(workerName: worker)
        settings.port = integer("port", default: 8009, log: &log)
        settings.host = string("host") ?? "localhost"
        _ = checkLength(settings.host, of: "host name", attribute: "host", fallback: location, log: &log)
        settings.preferIPv6 = boolean("prefer_ipv6", default: false, log: &log)
        settings.source = string("source") ?? ""
        _ = checkLength(settings.source, of: "source address", attribute: "source", fallback: location, log: &log)
        readPool(into: &settings, log: &log)
        readTimeouts(into: &settings, log: &log)
        settings.recoveryOptions = RecoveryOptions(rawValue: integer("recovery_options", default: 0, log: &log))
        settings.retries = max(1, integer("retries", default: 2, log: &log))
        settings.replayWholeBody = boolean("replay_whole_body", default: true, log: &log)
        settings.maxPacketSize = Self.packetSize(integer("max_packet_size", default: 8192, log: &log))
        let buffer = integer("socket_buffer", default: 0, log: &log)
        settings.socketBuffer = (buffer > 0 && buffer < settings.maxPacketSize) ? settings.maxPacketSize : buffer
        settings.retryInterval = integer("retry_interval", default: 100, log: &log)
        let acquireTimeout = CIntArithmetic.multiply(settings.retries, settings.retryInterval)
        settings.connectionAcquireTimeout = integer("connection_acquire_timeout", default: acquireTimeout, log: &log)
        settings.busyLimit = integer("busy_limit", default: 0, log: &log)
        settings.failOnStatus = failOnStatus(log: &log)
        settings.secret = string("secret")
        readMemberAttributes(into: &settings, log: &log)
        return settings
    }

    /// `connection_pool_size`/`cachesize`, `connection_pool_minsize`, `connection_pool_timeout`/`cache_timeout`.
    private func readPool(into settings: inout AJPWorkerSettings, log: inout DiagnosticLog) {
        if let size = integerIfPresent("connection_pool_size", log: &log), size >= 0 {
            settings.connectionPoolSize = size
        } else {
            settings.connectionPoolSize = integerIfPresent("cachesize", log: &log)
        }
        settings.connectionPoolMinSize = integerIfPresent("connection_pool_minsize", log: &log)
            ?? settings.connectionPoolSize.map { CIntArithmetic.divide(CIntArithmetic.add($0, 1), by: 2) }
        if let timeout = integerIfPresent("connection_pool_timeout", log: &log), timeout >= 0 {
            settings.connectionPoolTimeout = timeout
        } else {
            settings.connectionPoolTimeout = integer("cache_timeout", default: 0, log: &log)
        }
    }

    /// Socket and CPing timeouts with the derived defaults of `ajp_init`.
    private func readTimeouts(into settings: inout AJPWorkerSettings, log: inout DiagnosticLog) {
        settings.socketTimeout = integer("socket_timeout", default: 0, log: &log)
        settings.socketConnectTimeout = integer(
            "socket_connect_timeout", default: CIntArithmetic.multiply(settings.socketTimeout, 1000), log: &log)
        settings.socketKeepalive = boolean("socket_keepalive", default: false, log: &log)
        settings.pingTimeout = integer("ping_timeout", default: 10000, log: &log)
        settings.pingMode = choice("ping_mode", default: [], expected: "letters C, P, I or A", log: &log) {
            PingMode(propertyValue: $0)
        }
        settings.connectTimeout = integer("connect_timeout", default: 0, log: &log)
        settings.prepostTimeout = integer("prepost_timeout", default: 0, log: &log)
        if settings.pingMode.contains(.connect), settings.connectTimeout == 0 {
            settings.connectTimeout = settings.pingTimeout
        }
        if settings.pingMode.contains(.prepost), settings.prepostTimeout == 0 {
            settings.prepostTimeout = settings.pingTimeout
        }
        settings.connectionPingInterval = integer("connection_ping_interval", default: 0, log: &log)
        if settings.pingMode.contains(.interval), settings.connectionPingInterval == 0 {
            settings.connectionPingInterval = CIntArithmetic.divide(settings.pingTimeout, by: 100)
        }
        settings.replyTimeout = integer("reply_timeout", default: 0, log: &log)
    }

    /// `fail_on_status`: `atoi` of each token, no k/m multiplier.
    private func failOnStatus(log: inout DiagnosticLog) -> [Int] {
        guard let property = property("fail_on_status") else { return [] }
        let readings = PropertyValueParser.integerList(property.value)
        if readings.contains(where: { !$0.isWellFormed || !$0.isInRange }) {
            log.warning(.invalidInteger,
                        "'\(property.key)=\(property.value)' contains an entry that is not an integer; mod_jk"
                            + " reads \(readings.map { String($0.value) }.joined(separator: ",")); list status"
                            + " codes separated by commas", at: property.location)
        }
        return readings.map(\.value)
    }

    /// The member attributes of §7.5 (read for every ajp13 worker; only lbs use them).
    private func readMemberAttributes(into settings: inout AJPWorkerSettings, log: inout DiagnosticLog) {
        settings.lbfactor = max(1, integer("lbfactor", default: 1, log: &log))
        settings.distance = integer("distance", default: 0, log: &log)
        settings.route = string("route") ?? string("jvm_route") ?? worker
        settings.domain = string("domain") ?? ""
        if settings.domain.isEmpty, let dot = settings.route.utf8.firstIndex(of: UInt8(ascii: ".")) {
            settings.domain = String(decoding: settings.route.utf8[..<dot], as: UTF8.self)
        }
        settings.redirect = string("redirect") ?? ""
        if property("activation") != nil {
            settings.activation = choice("activation", default: .active, expected: "active, disabled or stopped",
                                         log: &log) { MemberActivation(propertyValue: $0) }
        } else if boolean("stopped", default: false, log: &log) {
            settings.activation = .stopped
        } else if boolean("disabled", default: false, log: &log) {
            settings.activation = .disabled
        }
    }

    /// `jk_get_max_packet_size`: rounded up to a multiple of 1024, then clamped to 8192…65536.
    static func packetSize(_ configured: Int) -> Int {
        let aligned = CIntArithmetic.add(configured, 1023) & ~1023
        return min(max(aligned, 8192), 65536)
    }

    /// The lb settings of this worker; members come from `balance_workers`, else `balanced_workers`.
    /// `members` is empty when neither yields a name (the caller reports it).
    func loadBalancerSettings(log: inout DiagnosticLog) -> LoadBalancerSettings {
        var members = list("balance_workers")
        if members.isEmpty { members = list("balanced_workers") }
        var settings = LoadBalancerSettings(members: members.map(\.text))
        settings.stickySession = boolean("sticky_session", default: true, log: &log)
        settings.stickySessionForce = boolean("sticky_session_force", default: false, log: &log)
        settings.secret = string("secret")
        settings.retries = max(1, integer("retries", default: 2, log: &log))
        settings.lbRetries = max(1, integer("lb_retries", default: 2, log: &log))
        settings.retryInterval = integer("retry_interval", default: 100, log: &log)
        settings.recoverTime = max(1, integer("recover_time", default: 60, log: &log))
        settings.connectErrorsGlobal = boolean("connect_errors_global", default: true, log: &log)
        settings.healthCheckInterval = max(integer("health_check_interval", default: 1, log: &log), 0)
        settings.healthCheckPasses = max(integer("health_check_passes", default: 2, log: &log), 1)
        settings.slowStart = max(integer("slow_start", default: 10, log: &log), 0)
        readHealthCheckProbe(into: &settings, log: &log)
        settings.errorEscalationTime = integer("error_escalation_time",
                                               default: settings.recoverTime / 2, log: &log)
        settings.maxReplyTimeouts = integer("max_reply_timeouts", default: 0, log: &log)
        settings.method = choice("method", default: .request,
                                 expected: "Request, Traffic, Busyness, Sessions or Next", log: &log) {
            LoadBalancerMethod(propertyValue: $0)
        }
        settings.lock = choice("lock", default: .optimistic, expected: "Optimistic or Pessimistic", log: &log) {
            LoadBalancerLock(propertyValue: $0)
        }
        settings.sessionCookie = string("session_cookie") ?? "JSESSIONID"
        _ = checkLength(settings.sessionCookie, of: "session cookie name", attribute: "session_cookie",
                        fallback: nil, log: &log)
        settings.sessionPath = string("session_path") ?? ";jsessionid"
        _ = checkLength(settings.sessionPath, of: "session path parameter", attribute: "session_path",
                        fallback: nil, log: &log)
        settings.setSessionCookie = boolean("set_session_cookie", default: false, log: &log)
        settings.sessionCookiePath = string("session_cookie_path") ?? "/"
        _ = checkLength(settings.sessionCookiePath, of: "session cookie path", attribute: "session_cookie_path",
                        fallback: nil, log: &log)
        return settings
    }

    /// The status settings of this worker.
    func statusSettings(log: inout DiagnosticLog) -> StatusWorkerSettings {
        var settings = StatusWorkerSettings()
        settings.css = string("css")
        settings.prefix = string("prefix") ?? "worker"
        if let ns = string("ns") { settings.ns = ns.utf8.first == UInt8(ascii: "-") ? "" : ns }
        if let xmlns = string("xmlns") { settings.xmlns = xmlns.utf8.first == UInt8(ascii: "-") ? "" : xmlns }
        settings.doctype = string("doctype")
        settings.persistFile = string("persist_file")
        settings.readOnly = boolean("read_only", default: false, log: &log)
        settings.userCaseInsensitive = boolean("user_case_insensitive", default: false, log: &log)
        settings.users = list("user").map(\.text)
        let good = list("good").map(\.text)
        if !good.isEmpty { settings.good = good }
        let bad = list("bad").map(\.text)
        if !bad.isEmpty { settings.bad = bad }
        if StatusRating(good: settings.good, bad: settings.bad).overlaps {
            let where_ = property("bad") ?? property("good")
            log.warning(.statusRatingOverlap,
                        "status worker rules good=\(settings.good.joined(separator: ",")) and "
                            + "bad=\(settings.bad.joined(separator: ",")) both match some member state; bad wins "
                            + "(as in mod_jk), so those members are counted as bad", at: where_?.location)
        }
        return settings
    }
}
