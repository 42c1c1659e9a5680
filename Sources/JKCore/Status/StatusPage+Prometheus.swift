import CJKCore

extension StatusPage {
    /// `mime=prometheus`: the Prometheus text exposition format (0.0.4), every value read from
    /// shared memory, so one scrape covers all httpd children. Labels are bounded: balancer,
    /// member, route, worker, status class, failure kind, state — never URIs or session ids.
    /// Families are documented in docs/METRICS.md.
    public func renderPrometheus(rating: StatusRating) -> String {
        var out = PrometheusWriter()
        let snapshot = self.snapshot
        out.family("swiftjk_build_info", .gauge, "SwiftJK build: version and the mod_jk version it is compatible with")
        out.sample("swiftjk_build_info", ["version": SJK_VERSION,
                                          "mod_jk_compatible": "1.2.48"], 1)
        out.family("swiftjk_config_generation", .gauge, "Status-worker edits applied since the configuration was loaded")
        out.sample("swiftjk_config_generation", [:], Double(snapshot.configGeneration))
        out.family("swiftjk_config_loaded_timestamp_seconds", .gauge, "When the configuration was loaded (Unix time)")
        out.sample("swiftjk_config_loaded_timestamp_seconds", [:], Double(snapshot.configLoadedAt))

        let lbs = snapshot.balancers
        out.family("swiftjk_balancer_members", .gauge, "Members of each balancer by rating (mod_jk's good/degraded/bad)")
        for lb in lbs {
            for (rating, value) in [("good", lb.good), ("degraded", lb.degraded), ("bad", lb.bad)] {
                out.sample("swiftjk_balancer_members", ["balancer": lb.name, "rating": rating], Double(value))
            }
        }
        out.family("swiftjk_balancer_busy", .gauge, "Requests in flight through each balancer")
        for lb in lbs { out.sample("swiftjk_balancer_busy", ["balancer": lb.name], Double(lb.busy)) }
        out.family("swiftjk_balancer_max_busy", .gauge, "Highest number of requests in flight since the last reset")
        for lb in lbs { out.sample("swiftjk_balancer_max_busy", ["balancer": lb.name], Double(lb.maxBusy)) }
        out.family("swiftjk_balancer_failovers_total", .counter, "Times a request moved on to another member after a failure")
        for lb in lbs { out.sample("swiftjk_balancer_failovers_total", ["balancer": lb.name], Double(lb.failovers)) }
        out.family("swiftjk_balancer_sticky_total", .counter,
                   "Sticky-session outcomes of the first choice: route_found, route_unavailable, no_session")
        for lb in lbs {
            for (index, outcome) in ["route_found", "route_unavailable", "no_session"].enumerated() {
                out.sample("swiftjk_balancer_sticky_total", ["balancer": lb.name, "outcome": outcome],
                           Double(lb.sticky[index]))
            }
        }

        // Members: (lb, member) state and the counters of the member's ajp13 worker.
        var targets: [(prefix: String, labels: [String: String], counters: StatusSnapshot.AJPCounters)] = []
        for lb in lbs {
            for member in lb.members {
                targets.append(("swiftjk_member", ["balancer": lb.name, "member": member.name, "route": member.route],
                                member.counters))
            }
        }
        for worker in snapshot.ajpWorkers {
            targets.append(("swiftjk_worker", ["worker": worker.name], worker.counters))
        }
        memberFamilies(&out, lbs: lbs)
        for prefix in ["swiftjk_member", "swiftjk_worker"] {
            let group = targets.filter { $0.prefix == prefix }
            guard !group.isEmpty else { continue }
            trafficFamilies(&out, prefix: prefix, group.map { ($0.labels, $0.counters) })
        }
        return out.text
    }

    private func memberFamilies(_ out: inout PrometheusWriter, lbs: [StatusSnapshot.Balancer]) {
        let members = lbs.flatMap { lb in lb.members.map { (lb, $0) } }
        func labels(_ lb: StatusSnapshot.Balancer, _ member: StatusSnapshot.Member) -> [String: String] {
            ["balancer": lb.name, "member": member.name, "route": member.route]
        }
        out.family("swiftjk_member_state", .gauge, "Member state as a state set (1 for the current state)")
        for (lb, member) in members {
            for state in MemberState.allCases {
                var l = labels(lb, member)
                l["state"] = state.description
                out.sample("swiftjk_member_state", l, member.state == state ? 1 : 0)
            }
        }
        out.family("swiftjk_member_activation", .gauge,
                   "Member activation as a state set: ACT/ready, DIS/drain, STP/maint")
        for (lb, member) in members {
            for activation in [MemberActivation.active, .disabled, .stopped] {
                var l = labels(lb, member)
                l["activation"] = String(describing: activation.attributeText)
                l["state_name"] = activation.operatorName
                out.sample("swiftjk_member_activation", l, member.activation == activation ? 1 : 0)
            }
        }
        out.family("swiftjk_member_last_state_change_timestamp_seconds", .gauge,
                   "When the member last changed state (0: not since the configuration was loaded)")
        for (lb, member) in members {
            out.sample("swiftjk_member_last_state_change_timestamp_seconds", labels(lb, member),
                       Double(member.stateChangedAt))
        }
        out.family("swiftjk_member_lbfactor", .gauge, "The member's lbfactor")
        for (lb, member) in members { out.sample("swiftjk_member_lbfactor", labels(lb, member), Double(member.lbfactor)) }
        out.family("swiftjk_member_weight_ratio", .gauge,
                   "Share of new sessions the member gets among the balancer's active members (0 to 1)")
        for lb in lbs {
            for member in lb.members {
                out.sample("swiftjk_member_weight_ratio", labels(lb, member), StatusDrain.weightPercent(member, in: lb) / 100)
            }
        }
        out.family("swiftjk_member_sessions_created_total", .counter,
                   "Requests without a session routed to the member (mod_jk's sessions)")
        for (lb, member) in members {
            out.sample("swiftjk_member_sessions_created_total", labels(lb, member), Double(member.sessions))
        }
        out.family("swiftjk_member_errors_total", .counter, "Requests the member failed (mod_jk's member errors)")
        for (lb, member) in members { out.sample("swiftjk_member_errors_total", labels(lb, member), Double(member.errors)) }
    }

    private func trafficFamilies(_ out: inout PrometheusWriter, prefix: String,
                                 _ group: [(labels: [String: String], counters: StatusSnapshot.AJPCounters)]) {
        func counter(_ name: String, _ help: String, _ value: (StatusSnapshot.AJPCounters) -> Double,
                     type: PrometheusWriter.Kind = .counter) {
            out.family(prefix + name, type, help)
            for target in group { out.sample(prefix + name, target.labels, value(target.counters)) }
        }
        counter("_requests_total", "Requests forwarded (mod_jk's elected/used)", { Double($0.used) })
        out.family(prefix + "_responses_total", .counter, "Backend responses by status class")
        for target in group {
            for (index, code) in ["1xx", "2xx", "3xx", "4xx", "5xx"].enumerated() {
                var l = target.labels
                l["code"] = code
                out.sample(prefix + "_responses_total", l, Double(target.counters.metrics.responses[index]))
            }
        }
        out.family(prefix + "_failures_total", .counter, "Failed attempts by kind")
        for target in group {
            for (index, kind) in StatusPage.failureKinds.enumerated() {
                var l = target.labels
                l["kind"] = kind
                out.sample(prefix + "_failures_total", l, Double(target.counters.metrics.failures[index]))
            }
        }
        counter("_retries_total", "Attempts after the first on the same worker", { Double($0.metrics.retries) })
        counter("_client_errors_total", "Requests the client aborted (mod_jk's client_errors)", { Double($0.clientErrors) })
        counter("_sent_bytes_total", "Bytes sent to the backend (mod_jk's transferred)", { Double($0.transferred) })
        counter("_received_bytes_total", "Bytes read from the backend (mod_jk's read)", { Double($0.read) })
        counter("_busy", "Requests in flight across all httpd children", { Double($0.busy) }, type: .gauge)
        counter("_max_busy", "Highest busy since the last reset", { Double($0.maxBusy) }, type: .gauge)
        counter("_connections_open", "Open backend connections across all httpd children", { Double($0.connected) },
                type: .gauge)
        counter("_connections_idle", "Idle pooled backend connections across all httpd children",
                { Double($0.metrics.idleConnections) }, type: .gauge)
        counter("_reply_timeouts", "Reply timeouts, decayed by maintenance (mod_jk's reply_timeouts)",
                { Double($0.replyTimeouts) }, type: .gauge)
        histogram(&out, prefix + "_first_byte_seconds", "Time from forwarding to the first packet from the backend",
                  group.map { ($0.labels, $0.counters.metrics.firstByteBuckets, $0.counters.metrics.firstByteSumUs) })
        histogram(&out, prefix + "_response_seconds", "Time from forwarding to the end of the backend's response",
                  group.map { ($0.labels, $0.counters.metrics.totalBuckets, $0.counters.metrics.totalSumUs) })
    }

    private func histogram(_ out: inout PrometheusWriter, _ name: String, _ help: String,
                           _ series: [(labels: [String: String], buckets: [UInt64], sumUs: UInt64)]) {
        out.family(name, .histogram, help)
        for entry in series {
            var cumulative: UInt64 = 0
            for (index, label) in WorkerMetrics.bucketLabels.enumerated() {
                cumulative &+= index < entry.buckets.count ? entry.buckets[index] : 0
                var l = entry.labels
                l["le"] = label
                out.sample(name + "_bucket", l, Double(cumulative))
            }
            out.sample(name + "_sum", entry.labels, Double(entry.sumUs) / 1_000_000)
            out.sample(name + "_count", entry.labels, Double(cumulative))
        }
    }

    /// The `kind` label values, by `SJK_FAIL_*` index.
    static let failureKinds = ["connect_refused", "connect_timeout", "cping", "reply_timeout", "reset", "protocol",
                               "client_abort", "other"]
}

/// Writes the Prometheus text format: HELP and TYPE per family, then its samples with escaped labels.
struct PrometheusWriter {
    /// A family's type.
    enum Kind: String {
        case counter, gauge, histogram
    }

    private(set) var text = ""

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        text += name
        if !labels.isEmpty {
            // A fixed label order keeps the output stable.
            let ordered = labels.sorted { Self.order($0.key) < Self.order($1.key) || (Self.order($0.key) == Self.order($1.key) && $0.key < $1.key) }
            text += "{" + ordered.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    private static func order(_ key: String) -> Int {
        ["balancer": 0, "member": 1, "route": 2, "worker": 3].first { $0.key == key }?.value ?? 9
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
