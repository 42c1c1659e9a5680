import CJKCore

/// The status worker's changes to shared state: `update`, `reset` and `recover`
/// (status-worker.md §1.2, §1.4, §1.8), each applied under the segment lock. Every change is
/// reported as a log line with the old and the new value, mod_jk's wording; a change to mirrored
/// configuration bumps the segment's `config_generation`, so every process applies it on its
/// next request (`Registry.refreshIfChanged`).
public struct StatusEditor {
    /// The status worker's name (for log lines).
    public let statusName: String
    /// The registry whose slots are edited.
    public let registry: Registry
    /// Where the change log lines go (`SJK_LOG_INFO`).
    public var log: (String) -> Void

    /// Creates an editor.
    public init(statusName: String, registry: Registry, log: @escaping (String) -> Void) {
        self.statusName = statusName
        self.registry = registry
        self.log = log
    }

    /// Why an edit was refused (the text is mod_jk's result message).
    public struct Refusal: Error, Equatable {
        /// The result message.
        public let message: String
    }

    // MARK: update

    /// `cmd=update` on an lb's own settings (`vl*` keys). Returns the number of changed values.
    public func updateBalancer(_ lb: LoadBalancerRuntime, query: StatusQuery) -> Int {
        guard let segment = registry.segment else { return 0 }
        return segment.withLock { slots -> Int in
            let slot = lb.topology.balancerSlot
            guard slot < slots.count else { return 0 }
            var config = slots[slot].config
            var changes = ChangeRecorder(statusName: statusName, described: "lb worker '\(lb.name)'", log: log)
            func int(_ key: String, _ name: String, _ field: WritableKeyPath<sjk_slot_config_t, Int32>, minimum: Int) {
                changes.setInteger(query, key, name, in: &config, field, minimum: minimum)
            }
            int("vlr", "retries", \.lb_retries, minimum: 1)
            int("vlri", "retry_interval", \.lb_retry_interval, minimum: 1)
            int("vlt", "recover_time", \.recover_time, minimum: 1)
            int("vlee", "error_escalation_time", \.error_escalation_time, minimum: 1)
            int("vlx", "max_reply_timeouts", \.max_reply_timeouts, minimum: 0)
            if let flag = query["vls"].flatMap(Self.boolean) {
                changes.note("sticky_session", config.sticky_session != 0 ? "1" : "0", flag ? "1" : "0")
                config.sticky_session = flag ? 1 : 0
            }
            if let flag = query["vlf"].flatMap(Self.boolean) {
                changes.note("sticky_session_force", config.sticky_session_force != 0 ? "1" : "0", flag ? "1" : "0")
                config.sticky_session_force = flag ? 1 : 0
            }
            if let text = query["vlm"], let method = Self.method(text) {
                changes.note("method", LoadBalancerMethod(statusCode: config.method).statusName, method.statusName)
                config.method = method.statusCode
            }
            if let text = query["vll"], let lock = Self.lock(text) {
                changes.note("lock", config.lock == 1 ? "Pessimistic" : "Optimistic", lock == 1 ? "Pessimistic" : "Optimistic")
                config.lock = lock
            }
            if changes.count > 0 {
                slots[slot].config = config
                sjk_atomic_increment_u32(&segment.header.pointee.config_generation)
            }
            return changes.count
        }
    }

    /// `cmd=update` on members of an lb (`sw`, wildcards allowed) with `vw*`/`va*` keys, or on
    /// every member by position with `att` and `val0…`. Returns the number of changed values.
    public func updateMembers(_ lb: LoadBalancerRuntime, members: [Int], query: StatusQuery,
                              attribute: String? = nil) -> Int {
        guard let segment = registry.segment else { return 0 }
        return segment.withLock { slots -> Int in
            var changes = 0
            var factorsChanged = false
            var activationChanged = false
            let topology = lb.topology
            for member in members where member < topology.members.count {
                let values: StatusQuery
                if let attribute {
                    guard let value = query["val\(member)"] else { continue }
                    values = StatusQuery(parameters: [attribute: value])
                } else {
                    values = query
                }
                let info = topology.members[member]
                guard info.memberSlot < slots.count, info.workerSlot < slots.count else { continue }
                let described = "sub worker '\(info.name)' of lb worker '\(lb.name)'"
                let before = slots[info.memberSlot]
                changes += editMember(&slots[info.memberSlot], values: values, described: described)
                if before.activation != slots[info.memberSlot].activation { activationChanged = true }
                if before.lbfactor != slots[info.memberSlot].lbfactor { factorsChanged = true }
                changes += editWorker(&slots[info.workerSlot], values: values,
                                      described: described)
            }
            if let balancer = BalancerSlots(segment: slots, topology: topology) {
                if factorsChanged { LBMultiplier.update(balancer) }
                if activationChanged, topology.settings.method != .busyness {
                    // mod_jk's reset_lb_values: a new activation starts every member from 0.
                    for member in 0..<topology.members.count { balancer.member(member).pointee.lb_value = 0 }
                }
            }
            if changes > 0 { sjk_atomic_increment_u32(&segment.header.pointee.config_generation) }
            return changes
        }
    }

    /// `cmd=update` on a plain ajp13 worker (`va*` keys, or `att`+`val0`).
    public func updateWorker(_ endpoint: AJPEndpoint, worker: Int, query: StatusQuery) -> Int {
        guard let segment = registry.segment else { return 0 }
        return segment.withLock { slots -> Int in
            guard worker < slots.count else { return 0 }
            let changes = editWorker(&slots[worker], values: query, described: "ajp worker '\(endpoint.name)'")
            if changes > 0 { sjk_atomic_increment_u32(&segment.header.pointee.config_generation) }
            return changes
        }
    }

    /// The member fields (`vwa vwf vwn vwr vwc vwd`) of one (lb, member) slot.
    private func editMember(_ slot: inout sjk_slot_t, values: StatusQuery, described: String) -> Int {
        var changes = ChangeRecorder(statusName: statusName, described: described, log: log)
        func note(_ name: String, _ old: String, _ new: String) { changes.note(name, old, new) }
        if let text = values["vwa"] {
            let activation = Self.activation(text)
            note("activation", String(describing: MemberActivation(slotValue: slot.activation).attributeText),
                 String(describing: activation.attributeText))
            slot.activation = activation.slotValue
        }
        if let value = values.integer("vwf"), value >= 1 {
            note("lbfactor", String(slot.lbfactor), String(value))
            slot.lbfactor = Int32(clamping: value)
        }
        if let route = values["vwn"], route.utf8.count < Int(SJK_SHM_STR_SIZE) {
            note("route", slot.config.string(.route), route)
            slot.config.setString(.route, route)
            if slot.config.string(.domain).isEmpty, let dot = route.firstIndex(of: ".") {
                // mod_jk derives the domain without logging it.
                slot.config.setString(.domain, String(route[..<dot]))
            }
        }
        if let redirect = values["vwr"], redirect.utf8.count < Int(SJK_SHM_STR_SIZE) {
            note("redirect", slot.config.string(.redirect), redirect)
            slot.config.setString(.redirect, redirect)
        }
        if let domain = values["vwc"], domain.utf8.count < Int(SJK_SHM_STR_SIZE) {
            note("domain", slot.config.string(.domain), domain)
            slot.config.setString(.domain, domain)
        }
        if let value = values.integer("vwd"), value >= 0 {
            note("distance", String(slot.distance), String(value))
            slot.distance = Int32(clamping: value)
        }
        return changes.count
    }

    /// The ajp13 fields (`va*`) of one worker slot.
    private func editWorker(_ slot: inout sjk_slot_t, values: StatusQuery, described: String) -> Int {
        var config = slot.config
        var changes = ChangeRecorder(statusName: statusName, described: described, log: log)
        func note(_ name: String, _ old: String, _ new: String) { changes.note(name, old, new) }
        var moved = false
        if let host = values["vahst"], !host.isEmpty, host.utf8.count < Int(SJK_SHM_STR_SIZE) {
            if host != config.string(.host) { moved = true }
            note("host", config.string(.host), host)
            config.setString(.host, host)
        }
        if let port = values.integer("vaprt"), port >= 0, port <= 65535 {
            if Int32(port) != config.port { moved = true }
            note("port", String(config.port), String(port))
            config.port = Int32(port)
        }
        func int(_ key: String, _ name: String, _ field: WritableKeyPath<sjk_slot_config_t, Int32>, minimum: Int) {
            changes.setInteger(values, key, name, in: &config, field, minimum: minimum)
        }
        int("vacpt", "connection_pool_timeout", \.connection_pool_timeout, minimum: 0)
        int("vapng", "ping_timeout", \.ping_timeout, minimum: 0)
        int("vact", "connect_timeout", \.connect_timeout, minimum: 0)
        int("vapt", "prepost_timeout", \.prepost_timeout, minimum: 0)
        int("vart", "reply_timeout", \.reply_timeout, minimum: 0)
        int("var", "retries", \.retries, minimum: 1)
        int("vari", "retry_interval", \.retry_interval, minimum: 1)
        int("vacpi", "connection_ping_interval", \.connection_ping_interval, minimum: 1)
        int("varo", "recovery_options", \.recovery_options, minimum: 0)
        int("vabl", "busy_limit", \.busy_limit, minimum: 0)
        if let value = values.integer("vamps"), value >= 8192, value <= 65536 {
            let aligned = (value + 1023) / 1024 * 1024
            note("max_packet_size", String(config.max_packet_size), String(min(aligned, 65536)))
            config.max_packet_size = Int32(min(aligned, 65536))
        }
        if moved { config.addr_sequence &+= 1 }
        slot.config = config
        return changes.count
    }

    /// Counts the changes of one edit and logs each with its old and new value (mod_jk's wording).
    private struct ChangeRecorder {
        let statusName: String
        let described: String
        let log: (String) -> Void
        private(set) var count = 0

        init(statusName: String, described: String, log: @escaping (String) -> Void) {
            self.statusName = statusName
            self.described = described
            self.log = log
        }

        mutating func note(_ name: String, _ old: String, _ new: String) {
            guard old != new else { return }
            count += 1
            log("Status worker '\(statusName)' changing '\(name)' for \(described) from '\(old)' to '\(new)'")
        }

        /// Sets an integer field from `query[key]` when it is at least `minimum`.
        mutating func setInteger(_ query: StatusQuery, _ key: String, _ name: String, in config: inout sjk_slot_config_t,
                                 _ field: WritableKeyPath<sjk_slot_config_t, Int32>, minimum: Int) {
            guard let value = query.integer(key), value >= minimum else { return }
            note(name, String(config[keyPath: field]), String(value))
            config[keyPath: field] = Int32(clamping: value)
        }
    }

    // MARK: reset and recover

    /// `cmd=reset`: zeroes the statistics of an lb and its members (`member` nil) or of one
    /// member, and sets the members' state to OK/IDLE (mod_jk's `reset_worker`).
    public func reset(_ lb: LoadBalancerRuntime, member: Int?) {
        guard let segment = registry.segment else { return }
        let now = WallClock.seconds()
        segment.withLock { slots in
            let topology = lb.topology
            guard let base = slots.baseAddress else { return }
            if member == nil, topology.balancerSlot < slots.count {
                slots[topology.balancerSlot].max_busy = 0
                slots[topology.balancerSlot].last_reset_time = now
            }
            for index in topology.members.indices where member == nil || member == index {
                let info = topology.members[index]
                guard info.memberSlot < slots.count, info.workerSlot < slots.count else { continue }
                (base + info.memberSlot).storeMemberState(.idle)
                slots[info.memberSlot].elected = 0
                slots[info.memberSlot].elected_snapshot = 0
                slots[info.memberSlot].sessions = 0
                (base + info.memberSlot).setErrorTimes(first: 0, last: 0)
                slots[info.memberSlot].errors = 0
                slots[info.memberSlot].lb_value = 0
                slots[info.memberSlot].last_reset_time = now
                Self.resetWorkerCounters(&slots[info.workerSlot], now: now)
            }
        }
        log("Status worker '\(statusName)' resetting statistics of lb worker '\(lb.name)'"
            + (member.map { " member '\(lb.topology.members[$0].name)'" } ?? ""))
    }

    /// `cmd=reset` of a plain ajp13 worker: its counters, errors included (its state is kept).
    public func reset(worker: Int, name: String) {
        guard let segment = registry.segment else { return }
        let now = WallClock.seconds()
        segment.withLock { slots in
            guard worker < slots.count else { return }
            Self.resetWorkerCounters(&slots[worker], now: now)
            slots[worker].errors = 0
            sjk_atomic_store_i64(&slots[worker].last_error_time, 0)
        }
        log("Status worker '\(statusName)' resetting statistics of ajp worker '\(name)'")
    }

    private static func resetWorkerCounters(_ slot: inout sjk_slot_t, now: Int64) {
        slot.elected = 0
        slot.client_errors = 0
        slot.reply_timeouts = 0
        slot.bytes_written = 0
        slot.bytes_read = 0
        slot.max_busy = 0
        slot.max_connected = 0
        slot.last_reset_time = now
    }

    /// `cmd=recover`: a member in ERR is marked ERR/REC (the next request probes it), its
    /// `lbvalue` set to the current maximum (except for Busyness) and its reply timeouts cleared.
    public func recover(_ lb: LoadBalancerRuntime, member: Int) throws(Refusal) {
        guard let segment = registry.segment else { throw Refusal(message: "Marking worker for recovery failed") }
        let marked = segment.withLock { slots -> Bool in
            let topology = lb.topology
            guard let base = slots.baseAddress, member < topology.members.count else { return false }
            let info = topology.members[member]
            guard info.memberSlot < slots.count, info.workerSlot < slots.count,
                  MemberState(slotValue: slots[info.memberSlot].state) == .error else { return false }
            if topology.settings.method != .busyness {
                var curmax: UInt64 = 0
                for other in topology.members where other.memberSlot < slots.count {
                    curmax = max(curmax, slots[other.memberSlot].lb_value)
                }
                slots[info.memberSlot].lb_value = curmax
            }
            (base + info.memberSlot).storeMemberState(.recover)
            slots[info.workerSlot].reply_timeouts = 0
            return true
        }
        guard marked else { throw Refusal(message: "Marking worker for recovery failed") }
        log("Status worker '\(statusName)' marked worker '\(lb.topology.members[member].name)' of lb worker "
            + "'\(lb.name)' for recovery")
    }

    // MARK: value parsing (mod_jk's lenient first-character rules)

    /// `on/off`, `t/f`, `y/n`, `1/0` by the first character, any case; nil otherwise.
    static func boolean(_ text: String) -> Bool? {
        switch text.utf8.first.map({ $0 | 0x20 }) {
        case UInt8(ascii: "o"):
            let second = text.utf8.dropFirst().first.map { $0 | 0x20 }
            return second == UInt8(ascii: "n") ? true : (second == UInt8(ascii: "f") ? false : nil)
        case UInt8(ascii: "t"), UInt8(ascii: "y"), UInt8(ascii: "1"): return true
        case UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "0"): return false
        default: return nil
        }
    }

    /// `r/t/b/s/n` or `0..4`.
    static func method(_ text: String) -> LoadBalancerMethod? {
        switch text.utf8.first.map({ $0 | 0x20 }) {
        case UInt8(ascii: "r"), UInt8(ascii: "0"): .request
        case UInt8(ascii: "t"), UInt8(ascii: "1"): .traffic
        case UInt8(ascii: "b"), UInt8(ascii: "2"): .busyness
        case UInt8(ascii: "s"), UInt8(ascii: "3"): .sessions
        case UInt8(ascii: "n"), UInt8(ascii: "4"): .next
        default: nil
        }
    }

    /// `o/p` or `0/1`; the slot value.
    static func lock(_ text: String) -> Int32? {
        switch text.utf8.first.map({ $0 | 0x20 }) {
        case UInt8(ascii: "o"), UInt8(ascii: "0"): 0
        case UInt8(ascii: "p"), UInt8(ascii: "1"): 1
        default: nil
        }
    }

    /// `a/d/s` or `0/1/2`; anything else is Active, as in mod_jk.
    static func activation(_ text: String) -> MemberActivation {
        switch text.utf8.first.map({ $0 | 0x20 }) {
        case UInt8(ascii: "d"), UInt8(ascii: "1"): .disabled
        case UInt8(ascii: "s"), UInt8(ascii: "2"): .stopped
        default: .active
        }
    }
}
