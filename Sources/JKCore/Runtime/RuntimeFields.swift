import CJKCore

/// Every setting a status-worker edit can change, read and written as text, with the value the
/// configuration gives it: what persistence saves and restores and what the status output lists
/// as "differs from the configuration". Callers hold the segment lock.
public struct RuntimeFields {
    /// Which kind of slot a field lives in.
    public enum Scope: String, Sendable {
        /// An lb's own settings (lb slot).
        case lb
        /// A member's settings ((lb, member) slot).
        case member
        /// An ajp13 worker's settings (worker slot).
        case worker
    }

    /// One field.
    struct Field {
        let scope: Scope
        let name: String
        let read: (sjk_slot_t) -> String
        let write: (inout sjk_slot_t, String) -> Bool
    }

    /// A setting whose runtime value differs from the configuration's.
    public struct Difference: Sendable, Equatable {
        /// lb, member or worker.
        public var scope: Scope
        /// `lb`, `lb/member` or the worker's name.
        public var entity: String
        /// The status worker's name of the field (`activation`, `lbfactor`, `method`, ...).
        public var field: String
        /// The configuration's value.
        public var configured: String
        /// The value in force.
        public var runtime: String
    }

    private static func int(_ scope: Scope, _ name: String, _ path: WritableKeyPath<sjk_slot_t, Int32>,
                            minimum: Int32 = 0) -> Field {
        Field(scope: scope, name: name, read: { String($0[keyPath: path]) }, write: { slot, text in
            guard let value = Int32(text), value >= minimum else { return false }
            slot[keyPath: path] = value
            return true
        })
    }

    private static func string(_ scope: Scope, _ name: String, _ which: sjk_slot_config_t.StringField) -> Field {
        Field(scope: scope, name: name, read: { $0.config.string(which) }, write: { slot, text in
            slot.config.setString(which, text)
        })
    }

    /// The fields, in the order they are saved and shown (built on use: edits and restarts are rare).
    static var all: [Field] { [
        Field(scope: .member, name: "activation",
              read: { String(describing: MemberActivation(slotValue: $0.activation).attributeText) },
              write: { slot, text in
                  guard let activation = MemberActivation(operatorName: text) else { return false }
                  slot.activation = activation.slotValue
                  return true
              }),
        int(.member, "lbfactor", \.lbfactor, minimum: 1),
        int(.member, "distance", \.distance),
        string(.member, "route", .route), string(.member, "redirect", .redirect), string(.member, "domain", .domain),
        int(.lb, "sticky_session", \.config.sticky_session), int(.lb, "sticky_session_force", \.config.sticky_session_force),
        int(.lb, "retries", \.config.lb_retries, minimum: 1), int(.lb, "retry_interval", \.config.lb_retry_interval),
        int(.lb, "recover_time", \.config.recover_time), int(.lb, "error_escalation_time", \.config.error_escalation_time),
        int(.lb, "max_reply_timeouts", \.config.max_reply_timeouts), int(.lb, "method", \.config.method),
        int(.lb, "lock", \.config.lock),
        string(.worker, "host", .host), int(.worker, "port", \.config.port),
        int(.worker, "connection_pool_timeout", \.config.connection_pool_timeout),
        int(.worker, "ping_timeout", \.config.ping_timeout), int(.worker, "connect_timeout", \.config.connect_timeout),
        int(.worker, "prepost_timeout", \.config.prepost_timeout), int(.worker, "reply_timeout", \.config.reply_timeout),
        int(.worker, "retries", \.config.retries, minimum: 1), int(.worker, "retry_interval", \.config.retry_interval),
        int(.worker, "connection_ping_interval", \.config.connection_ping_interval),
        int(.worker, "recovery_options", \.config.recovery_options), int(.worker, "busy_limit", \.config.busy_limit),
        int(.worker, "max_packet_size", \.config.max_packet_size, minimum: 8192),
    ] }

    /// Each lb, member and worker of the registry with its live slot index and a slot holding the
    /// configuration's values.
    static func entities(_ registry: Registry) -> [(scope: Scope, entity: String, slot: Int, configured: sjk_slot_t)] {
        var result: [(Scope, String, Int, sjk_slot_t)] = []
        for (index, runtime) in registry.runtimes.enumerated() {
            switch runtime {
            case .ajp(let endpoint):
                var configured = sjk_slot_t()
                if let settings = endpoint.configured { configured.config.storeWorker(settings) }
                result.append((.worker, endpoint.name, index, configured))
            case .loadBalancer(let lb):
                var configured = sjk_slot_t()
                configured.config.store(lb.configuredSettings)
                result.append((.lb, lb.name, index, configured))
                for (position, member) in lb.memberInputs.enumerated() {
                    var slot = sjk_slot_t()
                    slot.activation = member.settings.activation.slotValue
                    slot.lbfactor = Int32(clamping: member.settings.lbfactor)
                    slot.distance = Int32(clamping: member.settings.distance)
                    slot.config.storeMember(member.settings)
                    let name = position < lb.memberNames.count ? lb.memberNames[position] : member.name
                    result.append((.member, "\(lb.name)/\(name)", member.memberSlot, slot))
                }
            case .status, .unsupported:
                continue
            }
        }
        return result
    }

    /// Every setting whose value in `slots` differs from the configuration.
    static func differences(_ registry: Registry, slots: UnsafeMutableBufferPointer<sjk_slot_t>) -> [Difference] {
        var result: [Difference] = []
        for entity in entities(registry) where entity.slot < slots.count {
            for field in all where field.scope == entity.scope {
                let configured = field.read(entity.configured)
                let runtime = field.read(slots[entity.slot])
                if configured != runtime {
                    result.append(Difference(scope: entity.scope, entity: entity.entity, field: field.name,
                                             configured: configured, runtime: runtime))
                }
            }
        }
        return result
    }
}
