import CJKCore

extension StatusPage {
    /// `mime=json`: the state as one JSON document (SwiftJK's own API, not mod_jk's): the server,
    /// every lb with its settings, rating, metrics and members (with operator state names, weight
    /// in percent and drain progress), every plain ajp13 worker, and the result.
    public func renderJSON(quietSeconds: Int) -> String {
        let json = JSONWriter()
        let now = snapshot.now
        json.object {
            json.field("server") {
                json.object {
                    json.field("name", serverName)
                    json.field("port", serverPort)
                    json.field("software", webServer)
                    json.field("swiftjk_version", SJK_VERSION)
                    json.field("compatible_with", jkVersion)
                    json.field("time", now)
                    json.field("config_generation", Int64(snapshot.configGeneration))
                    json.field("config_loaded_at", snapshot.configLoadedAt)
                }
            }
            json.field("balancers") {
                json.array(shownBalancers) { entry in balancerJSON(json, entry.balancer, entry.members, quiet: quietSeconds) }
            }
            json.field("workers") {
                json.array(shownAJPWorkers) { worker in
                    json.object {
                        json.field("name", worker.name)
                        json.field("type", "ajp13")
                        configJSON(json, worker.config)
                        countersJSON(json, worker.counters)
                        json.field("error_time", worker.errorTime)
                    }
                }
            }
            json.field("runtime_changes") {
                json.array(snapshot.runtimeChanges) { change in
                    json.object {
                        json.field("scope", change.scope.rawValue)
                        json.field("worker", change.entity)
                        json.field("field", change.field)
                        json.field("configured", change.configured)
                        json.field("runtime", change.runtime)
                    }
                }
            }
            json.field("result") {
                json.object {
                    json.field("type", resultType)
                    json.field("message", resultMessage)
                }
            }
        }
        return json.text + "\n"
    }

    private func balancerJSON(_ json: JSONWriter, _ lb: StatusSnapshot.Balancer, _ members: [StatusSnapshot.Member],
                              quiet: Int) {
        let s = lb.settings
        json.object {
            json.field("name", lb.name)
            json.field("type", "lb")
            json.field("sticky_session", s.stickySession)
            json.field("sticky_session_force", s.stickySessionForce)
            json.field("retries", s.retries)
            json.field("recover_time", s.recoverTime)
            json.field("error_escalation_time", s.errorEscalationTime)
            json.field("max_reply_timeouts", s.maxReplyTimeouts)
            json.field("method", s.method.statusName)
            json.field("lock", s.lock == .pessimistic ? "Pessimistic" : "Optimistic")
            json.field("good", lb.good)
            json.field("degraded", lb.degraded)
            json.field("bad", lb.bad)
            json.field("busy", lb.busy)
            json.field("max_busy", lb.maxBusy)
            json.field("failovers", Int64(clamping: lb.failovers))
            json.field("sticky") {
                json.object {
                    json.field("route_found", Int64(clamping: lb.sticky[0]))
                    json.field("route_unavailable", Int64(clamping: lb.sticky[1]))
                    json.field("no_session", Int64(clamping: lb.sticky[2]))
                }
            }
            json.field("last_reset_at", lb.lastReset)
            json.field("members") {
                json.array(members) { m in
                    json.object {
                        json.field("name", m.name)
                        json.field("route", m.route)
                        json.field("activation", String(describing: m.activation.attributeText))
                        json.field("state_name", m.activation.operatorName)
                        json.field("state", m.state.description)
                        json.field("lbfactor", m.lbfactor)
                        json.field("weight_percent", StatusDrain.weightPercent(m, in: lb))
                        json.field("distance", m.distance)
                        json.field("redirect", m.redirect)
                        json.field("domain", m.domain)
                        json.field("lbmult", Int64(clamping: m.lbmult))
                        json.field("lbvalue", Int64(clamping: m.lbvalue))
                        json.field("sessions", Int64(clamping: m.sessions))
                        json.field("member_errors", Int64(clamping: m.errors))
                        json.field("state_changed_at", m.stateChangedAt)
                        json.field("error_time", m.errorTime)
                        json.field("time_to_recover", m.timeToRecover.min)
                        let drain = StatusDrain.progress(m, now: snapshot.now, quietSeconds: quiet)
                        json.field("drain") {
                            json.object {
                                json.field("draining", drain.draining)
                                json.field("done", drain.done)
                                json.field("busy", drain.busy)
                                if let ago = drain.lastStickyAgo { json.field("last_sticky_request_ago", ago) } else {
                                    json.field("last_sticky_request_ago") { json.null() }
                                }
                                json.field("quiet_seconds", drain.quietSeconds)
                            }
                        }
                        configJSON(json, m.config)
                        countersJSON(json, m.counters)
                    }
                }
            }
        }
    }

    private func configJSON(_ json: JSONWriter, _ c: StatusSnapshot.AJPConfig) {
        json.field("host", c.host)
        json.field("port", c.port)
        json.field("address", c.address)
        json.field("connection_pool_timeout", c.connectionPoolTimeout)
        json.field("ping_timeout", c.pingTimeout)
        json.field("connect_timeout", c.connectTimeout)
        json.field("prepost_timeout", c.prepostTimeout)
        json.field("reply_timeout", c.replyTimeout)
        json.field("retries", c.retries)
        json.field("connection_ping_interval", c.connectionPingInterval)
        json.field("recovery_options", c.recoveryOptions)
        json.field("busy_limit", c.busyLimit)
        json.field("max_packet_size", c.maxPacketSize)
    }

    private func countersJSON(_ json: JSONWriter, _ c: StatusSnapshot.AJPCounters) {
        json.field("requests", Int64(clamping: c.used))
        json.field("errors", Int64(clamping: c.errors))
        json.field("client_errors", Int64(clamping: c.clientErrors))
        json.field("reply_timeouts", c.replyTimeouts)
        json.field("sent_bytes", Int64(clamping: c.transferred))
        json.field("received_bytes", Int64(clamping: c.read))
        json.field("busy", c.busy)
        json.field("max_busy", c.maxBusy)
        json.field("connections_open", c.connected)
        json.field("connections_idle", c.metrics.idleConnections)
        json.field("max_connections", c.maxConnected)
        json.field("retries_total", Int64(clamping: c.metrics.retries))
        json.field("responses") {
            json.object {
                for (index, code) in ["1xx", "2xx", "3xx", "4xx", "5xx"].enumerated() {
                    json.field(code, Int64(clamping: c.metrics.responses[index]))
                }
            }
        }
        json.field("failures") {
            json.object {
                for (index, kind) in StatusPage.failureKinds.enumerated() {
                    json.field(kind, Int64(clamping: c.metrics.failures[index]))
                }
            }
        }
        json.field("last_reset_at", c.lastReset)
    }
}

/// A minimal JSON writer (the core uses no Foundation): objects, arrays, strings with escapes,
/// integers, doubles, booleans, null.
final class JSONWriter {
    private(set) var text = ""
    private var needsComma = false

    func object(_ body: () -> Void) {
        text += "{"
        needsComma = false
        body()
        text += "}"
        needsComma = true
    }

    func array<T>(_ items: [T], _ body: (T) -> Void) {
        text += "["
        needsComma = false
        for item in items {
            if needsComma { text += "," }
            needsComma = false
            body(item)
            needsComma = true
        }
        text += "]"
        needsComma = true
    }

    func null() {
        text += "null"
        needsComma = true
    }

    private func key(_ name: String) {
        if needsComma { text += "," }
        text += Self.quote(name) + ":"
        needsComma = false
    }

    func field(_ name: String, _ body: () -> Void) {
        key(name)
        body()
        needsComma = true
    }

    func field(_ name: String, _ value: String) {
        key(name)
        text += Self.quote(value)
        needsComma = true
    }

    func field<N: BinaryInteger>(_ name: String, _ value: N) {
        key(name)
        text += String(value)
        needsComma = true
    }

    func field(_ name: String, _ value: Double) {
        key(name)
        text += value.isFinite ? (value == value.rounded() ? String(Int64(value)) : String(value)) : "null"
        needsComma = true
    }

    func field(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
        needsComma = true
    }

    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
