import CJKCore

extension StatusSnapshot {
    /// Reads the snapshot of every lb and ajp13 worker in `worker.list` from `registry` (one locked
    /// section of the shared segment). Without shared memory the runtime values read as zero.
    public static func collect(_ registry: Registry, rating: StatusRating, now: Int64) -> StatusSnapshot {
        var snapshot = StatusSnapshot()
        snapshot.now = now
        snapshot.configLoadedAt = registry.loadedAt
        if let header = registry.segment?.header {
            snapshot.configGeneration = sjk_atomic_load_u32(&header.pointee.config_generation)
        }
        let maps = mapEntries(registry)
        let read: (UnsafeMutableBufferPointer<sjk_slot_t>?) -> Void = { slots in
            for name in registry.configuration.listed {
                let index = Int(registry.workerIndex(name))
                guard index >= 0, index < registry.runtimes.count else { continue }
                switch registry.runtimes[index] {
                case .loadBalancer(let lb):
                    var balancer = Self.balancer(lb, worker: index, registry: registry, slots: slots, rating: rating,
                                                 now: now)
                    balancer.maps = maps[name] ?? []
                    snapshot.balancers.append(balancer)
                case .ajp(let endpoint):
                    let slot = slots.flatMap { index < $0.count ? $0[index] : nil }
                    snapshot.ajpWorkers.append(AJPWorker(
                        worker: index, name: name, config: ajpConfig(endpoint, slot: slot),
                        counters: counters(slot, fallbackReset: registry.loadedAt),
                        errorTime: slot?.last_error_time ?? 0, maps: maps[name] ?? []))
                case .status, .unsupported:
                    continue
                }
            }
        }
        if let segment = registry.segment {
            segment.withLock { slots in
                read(slots)
                snapshot.runtimeChanges = RuntimeFields.differences(registry, slots: slots)
            }
        } else {
            read(nil)
        }
        return snapshot
    }

    private static func balancer(_ lb: LoadBalancerRuntime, worker: Int, registry: Registry,
                                 slots: UnsafeMutableBufferPointer<sjk_slot_t>?, rating: StatusRating,
                                 now: Int64) -> Balancer {
        let topology = lb.topology
        let lbSlot = slots.flatMap { topology.balancerSlot < $0.count ? $0[topology.balancerSlot] : nil }
        let settings = lbSlot.map { $0.config.applied(to: lb.configuredSettings) } ?? topology.settings
        var result = Balancer(worker: worker, name: lb.name, settings: settings, members: [])
        result.busy = Int(lbSlot?.busy ?? 0)
        result.maxBusy = Int(lbSlot?.max_busy ?? 0)
        result.lastReset = lbSlot?.last_reset_time ?? registry.loadedAt
        if let lbSlot {
            result.failovers = lbSlot.failovers
            result.sticky = array(lbSlot.sticky, count: 3)
        }
        // Next global maintenance (mod_jk's status_get_times), from the lb's last run.
        let interval = Int64(topology.maintainInterval)
        let lastMaintain = lbSlot?.last_maintain_time ?? now
        let msMin = max(interval - now.subtractingClamped(lastMaintain), 0)
        result.timeToMaintenance = (msMin, interval > 0 ? msMin + interval : 0)
        for (index, member) in topology.members.enumerated() {
            let memberSlot = slots.flatMap { member.memberSlot < $0.count ? $0[member.memberSlot] : nil }
            let workerSlot = slots.flatMap { member.workerSlot < $0.count ? $0[member.workerSlot] : nil }
            let endpoint = index < lb.endpoints.count ? lb.endpoints[index] : nil
            let state = memberSlot.map { MemberState(slotValue: $0.state) } ?? .idle
            let activation = memberSlot.map { MemberActivation(slotValue: $0.activation) } ?? member.configuredActivation
            var recover: (Int64, Int64) = (0, 0)
            if state == .error, let memberSlot {
                var low = max(Int64(settings.recoverTime) - now.subtractingClamped(memberSlot.first_error_time), 0)
                var high = low + interval
                if low < result.timeToMaintenance.min { low = result.timeToMaintenance.min }
                if high < result.timeToMaintenance.max { high = result.timeToMaintenance.max }
                recover = (low, high)
            }
            let input = index < lb.memberInputs.count ? lb.memberInputs[index].settings : nil
            result.members.append(Member(
                name: member.name, index: index,
                config: endpoint.map { ajpConfig($0, slot: workerSlot) } ?? AJPConfig(),
                counters: counters(workerSlot, fallbackReset: registry.loadedAt),
                activation: activation,
                lbfactor: memberSlot.map { Int($0.lbfactor) } ?? member.lbfactor,
                route: memberSlot.map { $0.config.string(.route) } ?? input?.route ?? "",
                redirect: memberSlot.map { $0.config.string(.redirect) } ?? input?.redirect ?? "",
                domain: memberSlot.map { $0.config.string(.domain) } ?? input?.domain ?? "",
                distance: memberSlot.map { Int($0.distance) } ?? member.distance,
                state: state, lbmult: memberSlot?.lb_mult ?? 1, lbvalue: memberSlot?.lb_value ?? 0,
                sessions: memberSlot?.sessions ?? 0, errors: memberSlot?.errors ?? 0,
                timeToRecover: recover, errorTime: memberSlot?.first_error_time ?? 0,
                stateChangedAt: memberSlot?.state_changed_at ?? 0, lastStickyTime: memberSlot?.last_sticky_time ?? 0))
            switch rating.rate(activation: activation, state: state) {
            case .good: result.good += 1
            case .degraded: result.degraded += 1
            case .bad: result.bad += 1
            }
        }
        return result
    }

    /// The ajp13 settings in force: the slot's mirrored record when there is one, else the
    /// endpoint's configuration.
    private static func ajpConfig(_ endpoint: AJPEndpoint, slot: sjk_slot_t?) -> AJPConfig {
        var config = AJPConfig()
        guard let base = endpoint.configured else { return config }
        let settings = slot.map { $0.config.appliedWorker(to: base) } ?? base
        config.host = settings.host
        config.port = settings.port
        config.address = endpoint.address?.numeric ?? "-"
        config.source = settings.source.isEmpty ? "undefined" : settings.source
        config.connectionPoolTimeout = settings.connectionPoolTimeout
        config.pingTimeout = settings.pingTimeout
        config.connectTimeout = settings.connectTimeout
        config.prepostTimeout = settings.prepostTimeout
        config.replyTimeout = settings.replyTimeout
        config.retries = settings.retries
        config.connectionPingInterval = settings.connectionPingInterval
        config.recoveryOptions = settings.recoveryOptions.rawValue
        config.busyLimit = settings.busyLimit
        config.maxPacketSize = settings.maxPacketSize
        return config
    }

    private static func counters(_ slot: sjk_slot_t?, fallbackReset: Int64) -> AJPCounters {
        guard let slot else { return AJPCounters(lastReset: fallbackReset) }
        let metrics = Metrics(
            responses: array(slot.responses, count: 5), failures: array(slot.failures, count: Int(SJK_FAIL_KINDS)),
            retries: slot.retries, firstByteBuckets: array(slot.first_byte_buckets, count: Int(SJK_HISTOGRAM_BUCKETS)),
            totalBuckets: array(slot.total_buckets, count: Int(SJK_HISTOGRAM_BUCKETS)),
            firstByteSumUs: slot.first_byte_sum_us, totalSumUs: slot.total_sum_us,
            idleConnections: Int(max(slot.idle_connections, 0)))
        return AJPCounters(used: slot.elected, errors: slot.errors, clientErrors: slot.client_errors,
                           replyTimeouts: Int(slot.reply_timeouts), transferred: slot.bytes_written,
                           read: slot.bytes_read, busy: Int(slot.busy), maxBusy: Int(slot.max_busy),
                           connected: Int(slot.connected), maxConnected: Int(slot.max_connected),
                           lastReset: slot.last_reset_time, metrics: metrics)
    }

    /// The first `count` UInt64 elements of a fixed C array (imported as a tuple).
    private static func array<T>(_ tuple: T, count: Int) -> [UInt64] {
        var copy = tuple
        return withUnsafeBytes(of: &copy) { Array($0.bindMemory(to: UInt64.self).prefix(count)) }
    }

    /// Map entries by worker name, every server's in server order, each server's in map order.
    static func mapEntries(_ registry: Registry) -> [String: [MapEntry]] {
        var entries: [String: [MapEntry]] = [:]
        for server in registry.servers {
            // mod_jk prints the host, with the port only when the server has one.
            let serverName = server.displayName.hasSuffix(":0") ? String(server.displayName.dropLast(2))
                : server.displayName
            server.withCurrent { snapshot in
                for rule in snapshot.map.rules {
                    entries[rule.worker, default: []].append(MapEntry(rule, server: serverName))
                }
            }
        }
        return entries
    }
}

extension StatusSnapshot.MapEntry {
    /// The entry for `rule` on `server`, with mod_jk's spellings.
    init(_ rule: MountRule, server: String) {
        let kind = rule.isWildcard ? "Wildchar" : "Exact"
        let prefix = rule.isDisabled ? "Disabled " : (rule.isExclusion ? "Unmount " : "")
        let source = switch rule.source {
        case .workerProperty: "worker definition"
        case .jkMount: "JkMount"
        case .mountFile: "uriworkermap"
        }
        let ext = rule.extensions
        self.init(server: server, uri: rule.pattern, type: prefix + kind, source: source,
                  replyTimeout: ext.replyTimeout ?? -1, stickyIgnore: ext.stickyIgnore == true ? 1 : 0,
                  stateless: ext.stateless == true ? 1 : 0,
                  failOnStatus: ext.failOnStatus.map { $0.map(String.init).joined(separator: ",") } ?? "",
                  active: ext.active.joined(separator: ","), disabled: ext.disabled.joined(separator: ","),
                  stopped: ext.stopped.joined(separator: ","), useServerErrors: ext.useServerErrors ?? 0)
    }
}
