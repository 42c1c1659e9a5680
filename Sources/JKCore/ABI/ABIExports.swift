import CJKCore
import Glibc

// The C entry points of sjk_abi.h. This is the only file that converts between the opaque
// handle and the Swift object (Unmanaged); everything else works with `Registry`.

private func registry(_ handle: OpaquePointer?) -> Registry? {
    guard let handle else { return nil }
    return Unmanaged<Registry>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// Runs `body` on the registry without retaining it: the shim holds the reference taken by
/// sjk_config_create for as long as requests run (the request-path entry points use this).
private func withRegistry(_ handle: OpaquePointer?, orElse fallback: sjk_status_t,
                          _ body: (Registry) -> sjk_status_t) -> sjk_status_t {
    guard let handle else { return fallback }
    return Unmanaged<Registry>.fromOpaque(UnsafeRawPointer(handle))._withUnsafeGuaranteedRef(body)
}

private func report(_ log: sjk_log_fn?, _ context: UnsafeMutableRawPointer?, _ level: Int32, _ message: String) {
    guard let log else { return }
    message.withCString { log(context, level, $0) }
}

/// sjk_config_create: builds the registry and reports every diagnostic.
@c @implementation
public func sjk_config_create(_ input: UnsafePointer<sjk_config_input_t>?, _ log: sjk_log_fn?,
                              _ logContext: UnsafeMutableRawPointer?,
                              _ out: UnsafeMutablePointer<OpaquePointer?>?) -> sjk_status_t {
    guard let input, let out else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    out.pointee = nil
    var diagnostics = DiagnosticLog()
    let built = ConfigurationBuilder.build(input.pointee, log: &diagnostics)
    for entry in diagnostics.entries {
        report(log, logContext, entry.severity == .error ? Int32(SJK_LOG_ERROR) : Int32(SJK_LOG_WARNING),
               entry.description)
    }
    guard let built, !diagnostics.hasErrors else { return sjk_status_t(SJK_ERR_CONFIG) }
    out.pointee = OpaquePointer(Unmanaged.passRetained(built).toOpaque())
    return sjk_status_t(SJK_OK)
}

/// sjk_config_release: drops the reference taken by sjk_config_create.
@c @implementation
public func sjk_config_release(_ config: OpaquePointer?) -> sjk_status_t {
    guard let config else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    Unmanaged<Registry>.fromOpaque(UnsafeRawPointer(config)).release()
    return sjk_status_t(SJK_OK)
}

/// sjk_config_worker_count: number of workers.
@c @implementation
public func sjk_config_worker_count(_ config: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> sjk_status_t {
    guard let registry = registry(config), let out else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    out.pointee = Int32(clamping: registry.runtimes.count)
    return sjk_status_t(SJK_OK)
}

/// sjk_config_worker_info: borrowed name and type of a worker.
@c @implementation
public func sjk_config_worker_info(_ config: OpaquePointer?, _ worker: Int32, _ name: UnsafeMutablePointer<sjk_str_t>?,
                                   _ type: UnsafeMutablePointer<sjk_str_t>?) -> sjk_status_t {
    guard let registry = registry(config), let entry = registry.cName(Int(worker)) else {
        return sjk_status_t(SJK_ERR_ARGUMENT)
    }
    name?.pointee = sjk_str_t(ptr: entry.name, len: strlen(entry.name))
    type?.pointee = sjk_str_t(ptr: entry.type, len: strlen(entry.type))
    return sjk_status_t(SJK_OK)
}

/// sjk_map_uri: normalise and map a request URI.
@c @implementation
public func sjk_map_uri(_ config: OpaquePointer?, _ server: Int32, _ uri: sjk_str_t, _ options: UInt32,
                        _ out: UnsafeMutablePointer<sjk_mapping_t>?) -> sjk_status_t {
    withRegistry(config, orElse: sjk_status_t(SJK_ERR_ARGUMENT)) { registry in
        guard let out, server >= 0, Int(server) < registry.servers.count,
              let bytes = uri.bytes else { return sjk_status_t(SJK_ERR_ARGUMENT) }
        let reject = options & UInt32(SJK_OPT_REJECT_UNSAFE_URI) != 0
        // Most request URIs are already normal: match them in place, without a copy.
        if URINormalizer.isNormal(bytes) {
            return mapNormalized(registry, server: server, path: bytes, reject: reject, out: out)
        }
        switch URINormalizer.normalize(bytes) {
        case .invalid:
            return sjk_status_t(SJK_BAD_URI)
        case .asterisk:
            return sjk_status_t(SJK_NOT_MAPPED)
        case .path(let path):
            return path.withUnsafeBytes { mapNormalized(registry, server: server, path: $0, reject: reject, out: out) }
        }
    }
}

private func mapNormalized(_ registry: Registry, server: Int32, path: UnsafeRawBufferPointer, reject: Bool,
                           out: UnsafeMutablePointer<sjk_mapping_t>) -> sjk_status_t {
    if reject, path.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "\\") }) {
        return sjk_status_t(SJK_UNSAFE_URI)
    }
    return registry.servers[Int(server)].withCurrent { snapshot in
        guard let rule = snapshot.map.match(path, rejectUnsafe: reject), rule < snapshot.workers.count else {
            return sjk_status_t(SJK_NOT_MAPPED)
        }
        out.pointee = sjk_mapping_t(worker: snapshot.workers[rule], server: server, rule: Int32(clamping: rule))
        return sjk_status_t(SJK_OK)
    }
}

/// sjk_lookup_worker: resolve "name[;ext...]" from JK_WORKER_NAME.
@c @implementation
public func sjk_lookup_worker(_ config: OpaquePointer?, _ spec: sjk_str_t,
                              _ out: UnsafeMutablePointer<sjk_mapping_t>?) -> sjk_status_t {
    guard let registry = registry(config), let out, let text = spec.string else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    let name = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    out.pointee = sjk_mapping_t(worker: registry.workerIndex(name), server: -1, rule: -1)
    return sjk_status_t(SJK_OK)
}

/// sjk_service: forward one request.
@c @implementation
public func sjk_service(_ config: OpaquePointer?, _ mapping: UnsafePointer<sjk_mapping_t>?,
                        _ request: UnsafePointer<sjk_request_t>?, _ host: UnsafePointer<sjk_host_t>?,
                        _ out: UnsafeMutablePointer<sjk_outcome_t>?) -> sjk_status_t {
    withRegistry(config, orElse: sjk_status_t(SJK_ERR_ARGUMENT)) { registry in
        guard let mapping, let request, let host, let out else { return sjk_status_t(SJK_ERR_ARGUMENT) }
        out.pointee = RequestService.serve(registry, mapping: mapping.pointee, request: request.pointee,
                                           host: host.pointee)
        return sjk_status_t(SJK_OK)
    }
}

/// sjk_child_init: per-process reset after fork.
@c @implementation
public func sjk_child_init(_ config: OpaquePointer?) -> sjk_status_t {
    guard let registry = registry(config) else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    registry.childInit()
    return sjk_status_t(SJK_OK)
}

/// sjk_maintain: periodic maintenance from the watchdog thread.
@c @implementation
public func sjk_maintain(_ config: OpaquePointer?, _ log: sjk_log_fn?,
                         _ logContext: UnsafeMutableRawPointer?) -> sjk_status_t {
    guard let registry = registry(config) else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    registry.timerRan()
    registry.refreshIfChanged()
    for message in registry.runHealthChecksIfDue() { report(log, logContext, Int32(SJK_LOG_INFO), message) }
    registry.maintenance.runIfDue(registry.endpoints)
    registry.maintainBalancersIfDue()
    return sjk_status_t(SJK_OK)
}

/// sjk_config_timer_interval: seconds between the shim's maintenance timer runs (0: no timer).
@c @implementation
public func sjk_config_timer_interval(_ config: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> sjk_status_t {
    guard let registry = registry(config), let out else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    out.pointee = Int32(clamping: registry.timerIntervalSeconds)
    return sjk_status_t(SJK_OK)
}

/// sjk_strip_session: JkStripSession for unmapped URIs.
@c @implementation
public func sjk_strip_session(_ uri: sjk_str_t, _ parameter: sjk_str_t, _ out: UnsafeMutablePointer<CChar>?,
                              _ capacity: Int, _ length: UnsafeMutablePointer<Int>?) -> sjk_status_t {
    guard let bytes = uri.bytes, let out, let length else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    let name = parameter.string ?? SessionPathStripper.defaultParameter
    guard let stripped = SessionPathStripper.strip(Array(bytes), parameter: name) else {
        return sjk_status_t(SJK_NOT_MAPPED)
    }
    guard stripped.count < capacity else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    stripped.withUnsafeBytes { source in
        if let base = source.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: source.count) }
    }
    out[stripped.count] = 0
    length.pointee = stripped.count
    return sjk_status_t(SJK_OK)
}

/// sjk_shm_size: bytes of shared memory the configuration needs.
@c @implementation
public func sjk_shm_size(_ config: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> sjk_status_t {
    guard let registry = registry(config), let out else { return sjk_status_t(SJK_ERR_ARGUMENT) }
    out.pointee = SharedSegment.size(slotCount: registry.slotCount)
    return sjk_status_t(SJK_OK)
}

/// sjk_shm_attach: the parent hands over the segment it created.
@c @implementation
public func sjk_shm_attach(_ config: OpaquePointer?, _ base: UnsafeMutableRawPointer?, _ size: Int,
                           _ log: sjk_log_fn?, _ logContext: UnsafeMutableRawPointer?) -> sjk_status_t {
    guard let registry = registry(config), let base,
          let segment = SharedSegment(base: base, size: size, slotCount: registry.slotCount) else {
        return sjk_status_t(SJK_ERR_ARGUMENT)
    }
    registry.attach(segment)
    for message in registry.restorePersistedEdits() {
        report(log, logContext, message.warning ? Int32(SJK_LOG_WARNING) : Int32(SJK_LOG_INFO), message.text)
    }
    return sjk_status_t(SJK_OK)
}
