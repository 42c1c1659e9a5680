/// The attribute tables of mod_jk 1.2.48 (`jk_util.c`): which `worker.…` keys are accepted, which are
/// single-valued ("unique"), which are lists, which are deprecated, and which worker types read which
/// attributes.
///
/// mod_jk classifies a key purely by its ending: a key is "unique" when it ends in `.` + a unique
/// attribute name, whatever comes before (so the user variable `my.port` is unique too), and a key
/// starting with `worker.` is accepted when it ends in `.` + any supported name. Attribute names never
/// contain a dot, so for a `worker.` key the text after the last dot is the attribute and the text
/// between `worker.` and the last dot is the worker name (which may itself contain dots).
enum AttributeCatalog {
    /// Every name accepted after `worker.<name>.`, deprecated ones included (`supported_properties`).
    static let supported: Set<String> = current.union(deprecated.keys).union(["list", "maintain"])

    /// The attributes a current configuration may use, in documentation order; the "known attributes"
    /// of the unknown-attribute error.
    static let currentInOrder: [String] = [
        "type", "host", "port", "source", "prefer_ipv6", "secret", "secretkey", "reference", "mount",
        "connection_pool_size", "connection_pool_minsize", "connection_pool_timeout",
        "connection_acquire_timeout", "socket_timeout", "socket_connect_timeout", "socket_buffer",
        "socket_keepalive", "ping_mode", "ping_timeout", "connect_timeout", "prepost_timeout", "reply_timeout",
        "connection_ping_interval", "recovery_options", "retries", "lb_retries", "retry_interval", "busy_limit",
        "max_packet_size", "fail_on_status", "lbfactor", "distance", "route", "domain", "redirect", "activation",
        "balance_workers", "sticky_session", "sticky_session_force", "session_cookie", "session_path",
        "set_session_cookie", "session_cookie_path", "method", "lock", "recover_time", "error_escalation_time",
        "max_reply_timeouts", "css", "read_only", "user", "user_case_insensitive", "good", "bad", "prefix", "ns",
        "xmlns", "doctype", "persist_file", "connect_errors_global", "health_check_interval", "health_check_passes",
        "replay_whole_body", "slow_start", "health_check_uri", "health_check_status", "health_check_healthy",
    ]

    /// `currentInOrder` as a set.
    static let current: Set<String> = Set(currentInOrder)

    /// Deprecated names (accepted with a warning) and what to write instead.
    static let deprecated: [String: String] = [
        "cachesize": "use connection_pool_size",
        "cache_timeout": "use connection_pool_timeout",
        "recycle_timeout": "it has no effect; use connection_pool_timeout",
        "balanced_workers": "use balance_workers",
        "jvm_route": "use route",
        "local_worker": "it has no effect; use activation and distance",
        "local_worker_only": "it has no effect; use activation and distance",
        "disabled": "use activation=disabled",
        "stopped": "use activation=stopped",
        "sysprops": "it belonged to the removed JNI worker and has no effect",
        "stderr": "it belonged to the removed JNI worker and has no effect",
        "stdout": "it belonged to the removed JNI worker and has no effect",
        "mx": "it belonged to the removed JNI worker and has no effect",
        "ms": "it belonged to the removed JNI worker and has no effect",
        "class_path": "it belonged to the removed JNI worker and has no effect",
        "bridge": "it belonged to the removed JNI worker and has no effect",
        "jvm_lib": "it belonged to the removed JNI worker and has no effect",
        "ld_path": "it belonged to the removed JNI worker and has no effect",
        "cmd_line": "it belonged to the removed JNI worker and has no effect",
        "native_lib": "it belonged to the removed JNI worker and has no effect",
    ]

    /// Suffixes that make a key single-valued (`unique_properties`); a duplicate replaces the old value.
    /// `worker.maintain` is listed with its prefix, so it only matches keys ending in `.worker.maintain`
    /// and `worker.maintain` itself is joined with `*` like any other key.
    static let unique: [String] = [
        "secret", "reference", "host", "source", "port", "type", "cachesize", "connection_pool_size",
        "connection_pool_minsize", "cache_timeout", "connection_pool_timeout", "connection_acquire_timeout",
        "recovery_options", "connect_timeout", "prepost_timeout", "ping_timeout", "ping_mode", "reply_timeout",
        "socket_timeout", "socket_connect_timeout", "socket_buffer", "socket_keepalive",
        "connection_ping_interval", "recycle_timeout", "lbfactor", "sticky_session", "sticky_session_force",
        "session_cookie", "session_path", "set_session_cookie", "session_cookie_path", "local_worker",
        "local_worker_only", "jvm_route", "route", "domain", "redirect", "method", "lock", "disabled", "stopped",
        "activation", "recover_time", "error_escalation_time", "max_reply_timeouts", "retry_interval",
        "busy_limit", "max_packet_size", "css", "read_only", "retries", "lb_retries", "worker.maintain", "ns",
        "xmlns", "doctype", "prefix", "user_case_insensitive", "prefer_ipv6", "connect_errors_global",
        "persist_file", "health_check_interval", "health_check_passes", "replay_whole_body", "slow_start",
        "health_check_uri", "health_check_status", "health_check_healthy",
    ]

    /// Suffixes whose duplicates are joined with `,` (`list_properties`).
    static let lists: [String] = ["balance_workers", "mount", "user", "good", "bad", "fail_on_status", "list"]

    // MARK: Who reads what

    /// Attributes every worker type reads (or that the loader itself interprets).
    static let common: Set<String> = ["type", "reference", "mount"]

    /// Attributes an ajp13 worker reads under its own name (§7.3), including deprecated aliases.
    static let ajp13: Set<String> = [
        "host", "port", "source", "prefer_ipv6", "secret", "connection_pool_size", "cachesize",
        "connection_pool_minsize", "connection_pool_timeout", "cache_timeout", "connection_acquire_timeout",
        "socket_timeout", "socket_connect_timeout", "socket_keepalive", "socket_buffer", "ping_mode",
        "ping_timeout", "connect_timeout", "prepost_timeout", "reply_timeout", "connection_ping_interval",
        "recovery_options", "retries", "retry_interval", "busy_limit", "max_packet_size", "fail_on_status",
        "replay_whole_body",
    ]

    /// Attributes an lb reads under a member's name (§7.5).
    static let member: Set<String> = [
        "lbfactor", "distance", "route", "jvm_route", "domain", "redirect", "activation", "disabled", "stopped",
    ]

    /// Attributes an lb worker reads under its own name (§7.4).
    static let loadBalancer: Set<String> = [
        "balance_workers", "balanced_workers", "sticky_session", "sticky_session_force", "method", "lock",
        "retries", "lb_retries", "retry_interval", "recover_time", "error_escalation_time", "max_reply_timeouts",
        "session_cookie", "session_path", "set_session_cookie", "session_cookie_path", "secret",
        "connect_errors_global", "health_check_interval", "health_check_passes", "slow_start",
        "health_check_uri", "health_check_status", "health_check_healthy",
    ]

    /// Attributes only an lb reads: set on an ajp13 worker they are silently ignored by mod_jk.
    static let loadBalancerOnly: Set<String> = loadBalancer.subtracting(ajp13)

    /// Attributes a status worker reads (§7.6).
    static let status: Set<String> = [
        "css", "read_only", "user", "user_case_insensitive", "good", "bad", "prefix", "ns", "xmlns", "doctype",
        "persist_file",
    ]

    // MARK: Key classification

    /// How a second value for an existing key is combined with the first one (`jk_map_handle_duplicates`).
    enum DuplicateRule: Equatable {
        /// The new value replaces the old one (with a warning).
        case replace
        /// The values are joined with this separator.
        case join(UInt8)
    }

    /// The duplicate rule of `key`: unique ⇒ replace; `…_path` ⇒ `:`; `….cmd_line` ⇒ space; list ⇒ `,`;
    /// anything else ⇒ `*`.
    static func duplicateRule(forKey key: String) -> DuplicateRule {
        if unique.contains(where: { hasSuffix(key, separator: ".", name: $0) }) { return .replace }
        if hasSuffix(key, separator: "_", name: "path") { return .join(UInt8(ascii: ":")) }
        if hasSuffix(key, separator: ".", name: "cmd_line") { return .join(UInt8(ascii: " ")) }
        if lists.contains(where: { hasSuffix(key, separator: ".", name: $0) }) { return .join(UInt8(ascii: ",")) }
        return .join(UInt8(ascii: "*"))
    }

    /// True for keys mod_jk accepts: anything not starting with `worker.`, and `worker.` keys ending in
    /// `.` + a supported name (`jk_is_valid_property`).
    static func isAccepted(key: String) -> Bool {
        guard key.utf8.starts(with: "worker.".utf8) else { return true }
        return supported.contains(attribute(ofKey: key))
    }

    /// The deprecated name `key` ends with, if any.
    static func deprecatedAttribute(ofKey key: String) -> String? {
        let name = attribute(ofKey: key)
        return deprecated[name] == nil ? nil : name
    }

    /// The text after the last `.` of `key` (the whole key when it has no dot).
    static func attribute(ofKey key: String) -> String {
        let bytes = key.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")) else { return key }
        return String(decoding: bytes[bytes.index(after: dot)...], as: UTF8.self)
    }

    /// For a key `worker.<name>.<attribute>`, the worker name and the attribute; nil for other keys and for
    /// the global `worker.<attribute>` keys (`worker.list`, `worker.maintain`).
    static func workerAttribute(ofKey key: String) -> (worker: String, attribute: String)? {
        let prefix = "worker.".utf8
        let bytes = key.utf8
        guard bytes.starts(with: prefix) else { return nil }
        let rest = bytes.dropFirst(prefix.count)
        guard let dot = rest.lastIndex(of: UInt8(ascii: ".")) else { return nil }
        return (String(decoding: rest[..<dot], as: UTF8.self),
                String(decoding: rest[rest.index(after: dot)...], as: UTF8.self))
    }

    /// The key under which mod_jk reads `attribute` of worker `worker`.
    static func key(worker: String, _ attribute: String) -> String {
        "worker." + worker + "." + attribute
    }

    /// `jk_is_some_property`: `key` ends with `separator` followed by `name`, compared byte by byte.
    static func hasSuffix(_ key: String, separator: String, name: String) -> Bool {
        let suffix = Array(separator.utf8) + Array(name.utf8)
        let bytes = Array(key.utf8)
        guard bytes.count >= suffix.count else { return false }
        return bytes[(bytes.count - suffix.count)...].elementsEqual(suffix)
    }

    /// The supported name closest to `attribute` (edit distance at most 2), for a "did you mean" hint.
    static func suggestion(for attribute: String) -> String? {
        guard attribute.utf8.count <= 40 else { return nil }
        var best: (name: String, distance: Int)?
        for name in currentInOrder {
            let distance = editDistance(Array(attribute.utf8), Array(name.utf8))
            if distance <= 2, distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance of two byte strings.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            current.reserveCapacity(b.count + 1)
            for (j, y) in b.enumerated() {
                let substitution = previous[j] + (x == y ? 0 : 1)
                current.append(min(substitution, previous[j + 1] + 1, current[j] + 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
