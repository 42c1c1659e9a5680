import Glibc

/// One `key=value` of a status object, and whether the `txt` format quotes the value.
public struct StatusField: Sendable, Equatable {
    /// The key (prop adds a prefix path, txt and xml print it as is).
    public var key: String
    /// The value, unescaped.
    public var value: String
    /// True when `mime=txt` prints the value in double quotes.
    public var quotedInText: Bool

    /// A field.
    public init(_ key: String, _ value: String, quoted: Bool = false) {
        self.key = key
        self.value = value
        self.quotedInText = quoted
    }

    /// A numeric field.
    public init<N: BinaryInteger>(_ key: String, _ value: N) {
        self.init(key, String(value))
    }
}

/// The field lists of mod_jk 1.2.48's status objects, in its order (status-worker.md §1.5).
/// The formats differ only in how they print a list, with two exceptions handled here: the xml
/// format prints `connection_ping_interval` before `retries`, and prop keys error times with a
/// space (`error_time_unix seconds`).
enum StatusFields {
    /// The three header objects.
    static func server(name: String, port: Int) -> [StatusField] {
        [StatusField("name", name), StatusField("port", port)]
    }

    static func time(_ now: Int64) -> [StatusField] {
        [StatusField("datetime", formatTime(now, "%Y%m%d%H%M%S")), StatusField("tz", formatTime(now, "%z")),
         StatusField("unix", now)]
    }

    static func software(webServer: String, jkVersion: String) -> [StatusField] {
        [StatusField("web_server", webServer, quoted: true), StatusField("jk_version", jkVersion)]
    }

    /// An lb worker's own fields (without `name`).
    static func balancer(_ lb: StatusSnapshot.Balancer, now: Int64) -> [StatusField] {
        let s = lb.settings
        return [
            StatusField("type", "lb"),
            StatusField("sticky_session", s.stickySession ? "True" : "False"),
            StatusField("sticky_session_force", s.stickySessionForce ? "True" : "False"),
            StatusField("retries", s.retries),
            StatusField("recover_time", s.recoverTime),
            StatusField("error_escalation_time", s.errorEscalationTime),
            StatusField("max_reply_timeouts", s.maxReplyTimeouts),
            StatusField("method", s.method.statusName),
            StatusField("lock", s.lock == .pessimistic ? "Pessimistic" : "Optimistic"),
            StatusField("member_count", lb.members.count),
            StatusField("good", lb.good),
            StatusField("degraded", lb.degraded),
            StatusField("bad", lb.bad),
            StatusField("busy", lb.busy),
            StatusField("max_busy", lb.maxBusy),
            StatusField("map_count", lb.maps.count),
            StatusField("time_to_maintenance_min", lb.timeToMaintenance.min),
            StatusField("time_to_maintenance_max", lb.timeToMaintenance.max),
        ] + reset(lb.lastReset, now: now)
    }

    /// The ajp13 settings of a worker or member (without `name`); `xmlOrder` moves
    /// `connection_ping_interval` before `retries`.
    static func ajp(_ c: StatusSnapshot.AJPConfig, xmlOrder: Bool) -> [StatusField] {
        var fields = [
            StatusField("type", "ajp13"),
            StatusField("host", c.host),
            StatusField("port", c.port),
            StatusField("address", c.address),
            StatusField("source", c.source),
            StatusField("connection_pool_timeout", c.connectionPoolTimeout),
            StatusField("ping_timeout", c.pingTimeout),
            StatusField("connect_timeout", c.connectTimeout),
            StatusField("prepost_timeout", c.prepostTimeout),
            StatusField("reply_timeout", c.replyTimeout),
        ]
        let retries = StatusField("retries", c.retries)
        let ping = StatusField("connection_ping_interval", c.connectionPingInterval)
        fields += xmlOrder ? [ping, retries] : [retries, ping]
        fields += [
            StatusField("recovery_options", c.recoveryOptions),
            StatusField("busy_limit", c.busyLimit),
            StatusField("max_packet_size", c.maxPacketSize),
        ]
        return fields
    }

    /// A member's fields after its ajp13 settings, up to `time_to_recover_max`.
    static func member(_ m: StatusSnapshot.Member) -> [StatusField] {
        let c = m.counters
        return [
            StatusField("activation", String(describing: m.activation.attributeText)),
            StatusField("lbfactor", m.lbfactor),
            StatusField("route", m.route, quoted: true),
            StatusField("redirect", m.redirect, quoted: true),
            StatusField("domain", m.domain, quoted: true),
            StatusField("distance", m.distance),
            StatusField("state", m.state.description),
            StatusField("lbmult", m.lbmult),
            StatusField("lbvalue", m.lbvalue),
            StatusField("elected", c.used),
            StatusField("sessions", m.sessions),
            StatusField("errors", m.errors),
        ] + traffic(c) + [
            StatusField("time_to_recover_min", m.timeToRecover.min),
            StatusField("time_to_recover_max", m.timeToRecover.max),
        ]
    }

    /// The traffic counters members and plain workers share, from `client_errors` to `max_connected`.
    static func traffic(_ c: StatusSnapshot.AJPCounters) -> [StatusField] {
        [
            StatusField("client_errors", c.clientErrors),
            StatusField("reply_timeouts", c.replyTimeouts),
            StatusField("transferred", c.transferred),
            StatusField("read", c.read),
            StatusField("busy", c.busy),
            StatusField("max_busy", c.maxBusy),
            StatusField("connected", c.connected),
            StatusField("max_connected", c.maxConnected),
        ]
    }

    /// A member as one object of txt and xml: name, settings, member fields, reset and error times.
    static func memberObject(_ m: StatusSnapshot.Member, now: Int64, xmlOrder: Bool) -> [StatusField] {
        [StatusField("name", m.name)] + ajp(m.config, xmlOrder: xmlOrder) + member(m)
            + reset(m.counters.lastReset, now: now) + errorTime(m.errorTime, now: now, spaced: false)
    }

    /// A plain ajp13 worker as one object of txt and xml.
    static func ajpObject(_ w: StatusSnapshot.AJPWorker, now: Int64, xmlOrder: Bool) -> [StatusField] {
        [StatusField("name", w.name)] + ajp(w.config, xmlOrder: xmlOrder) + ajpCounters(w)
            + reset(w.counters.lastReset, now: now) + errorTime(w.errorTime, now: now, spaced: false)
    }

    /// A plain ajp13 worker's fields after its settings, up to `map_count`.
    static func ajpCounters(_ w: StatusSnapshot.AJPWorker) -> [StatusField] {
        [StatusField("used", w.counters.used), StatusField("errors", w.counters.errors)] + traffic(w.counters)
            + [StatusField("map_count", w.maps.count)]
    }

    /// `last_reset_at` and `last_reset_ago`.
    static func reset(_ at: Int64, now: Int64) -> [StatusField] {
        [StatusField("last_reset_at", at), StatusField("last_reset_ago", now.subtractingClamped(at))]
    }

    /// The error time fields (printed only when an error time is set); `spaced` is prop's quirk.
    static func errorTime(_ at: Int64, now: Int64, spaced: Bool) -> [StatusField] {
        guard at > 0 else { return [] }
        return [StatusField("error_time_datetime", formatTime(at, "%Y%m%d%H%M%S")),
                StatusField("error_time_tz", formatTime(at, "%z")),
                StatusField(spaced ? "error_time_unix seconds" : "error_time_unix_seconds", at),
                StatusField(spaced ? "error_time_ago seconds" : "error_time_ago", now.subtractingClamped(at))]
    }

    /// A map entry's fields after `id` (txt and xml quote every value).
    static func map(_ e: StatusSnapshot.MapEntry) -> [StatusField] {
        [
            StatusField("server", e.server, quoted: true),
            StatusField("uri", e.uri, quoted: true),
            StatusField("type", e.type, quoted: true),
            StatusField("source", e.source, quoted: true),
            StatusField("reply_timeout", String(e.replyTimeout), quoted: true),
            StatusField("sticky_ignore", String(e.stickyIgnore), quoted: true),
            StatusField("stateless", String(e.stateless), quoted: true),
            StatusField("fail_on_status", e.failOnStatus, quoted: true),
            StatusField("active", e.active, quoted: true),
            StatusField("disabled", e.disabled, quoted: true),
            StatusField("stopped", e.stopped, quoted: true),
            StatusField("use_server_errors", String(e.useServerErrors), quoted: true),
        ]
    }

    /// `strftime` in local time.
    static func formatTime(_ seconds: Int64, _ format: String) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
