/// Warnings about configurations that mod_jk accepts but that almost certainly do not do what their
/// author meant (reference §6.7, §12.3). They never change the configuration.
struct WorkersConfigurationLint {
    /// All properties, references resolved.
    let store: PropertyStore
    /// The built workers.
    let graph: WorkerGraphBuilder
    /// The properties set directly (not copied by `reference`) under each worker name, with their attribute.
    private let directProperties: [String: [(property: StoredProperty, attribute: String)]]

    /// Prepares the checks over `store` and `graph`.
    init(store: PropertyStore, graph: WorkerGraphBuilder) {
        self.store = store
        self.graph = graph
        var byWorker: [String: [(property: StoredProperty, attribute: String)]] = [:]
        for property in store.properties where property.copiedFrom == nil {
            guard let (worker, attribute) = AttributeCatalog.workerAttribute(ofKey: property.key) else { continue }
            byWorker[worker, default: []].append((property, attribute))
        }
        directProperties = byWorker
    }

    /// Runs every check.
    func run(log: inout DiagnosticLog) {
        warnAboutUnusedWorkers(log: &log)
        for definition in graph.definitions {
            warnAboutIneffectiveAttributes(of: definition, log: &log)
            switch definition.kind {
            case .ajp13(let settings): warnAboutConnection(of: definition.name, settings, log: &log)
            case .lb:
                for attribute in ["balance_workers", "balanced_workers"] {
                    warnAboutBackslash(in: AttributeCatalog.key(worker: definition.name, attribute), log: &log)
                }
            case .status, .unsupported: break
            }
        }
        warnAboutBackslash(in: "worker.list", log: &log)
    }

    /// Workers whose properties are set but that are neither listed nor members (nor `reference` templates).
    private func warnAboutUnusedWorkers(log: inout DiagnosticLog) {
        let templates = Set(store.properties.filter { AttributeCatalog.attribute(ofKey: $0.key) == "reference" }
            .map(\.value))
        var reported: Set<String> = []
        for property in store.properties where property.copiedFrom == nil {
            if let global = Self.globalAttribute(ofKey: property.key) {
                log.warning(.attributeHasNoEffect,
                            "'\(property.key)' names no worker and has no effect; write"
                                + " 'worker.<name>.\(global)'", at: property.location)
                continue
            }
            guard let (worker, _) = AttributeCatalog.workerAttribute(ofKey: property.key),
                  !graph.attempted.contains(worker), !templates.contains("worker." + worker),
                  reported.insert(worker).inserted else { continue }
            let why = graph.usesImplicitList
                ? "worker.list is not set, so mod_jk only creates the implicit worker 'ajp13'"
                : "it is neither in worker.list nor a member of an lb, so mod_jk never creates it"
            log.warning(.unusedWorker,
                        "worker '\(worker)' is defined ('\(property.key)') but unused: \(why). Add it to"
                            + " worker.list or to an lb's balance_workers, or remove its lines",
                        at: property.location)
        }
    }

    /// Attributes set directly on a created worker that its type (or role) never reads.
    private func warnAboutIneffectiveAttributes(of definition: WorkerDefinition, log: inout DiagnosticLog) {
        let name = definition.name
        let lbs = graph.loadBalancers[name] ?? []
        let isListed = graph.listed.contains(name)
        for (property, attribute) in directProperties[name] ?? [] {
            guard AttributeCatalog.deprecated[attribute] == nil else { continue }
            if attribute == "mount" {
                if !isListed {
                    log.warning(.attributeHasNoEffect,
                                "'\(property.key)' has no effect: mounts are read only for workers in worker.list,"
                                    + " and '\(name)' is not listed. Add it to worker.list or use JkMount",
                                at: property.location)
                }
                continue
            }
            switch definition.kind {
            case .ajp13:
                if AttributeCatalog.common.contains(attribute) || AttributeCatalog.ajp13.contains(attribute)
                    || (!lbs.isEmpty && AttributeCatalog.member.contains(attribute)) { continue }
                if AttributeCatalog.loadBalancerOnly.contains(attribute) {
                    let target = lbs.first.map { "worker.\($0).\(attribute)" }
                    let hint = target.map { "did you mean \($0)?" } ?? "it is read only on lb workers"
                    log.warning(.loadBalancerAttributeOnAJP13,
                                "\(property.key) has no effect on ajp13 worker \(name); \(hint)",
                                at: property.location)
                } else {
                    noEffect(property, on: "ajp13 worker '\(name)'", attribute: attribute, log: &log)
                }
            case .lb:
                if AttributeCatalog.common.contains(attribute) || AttributeCatalog.loadBalancer.contains(attribute) {
                    continue
                }
                noEffect(property, on: "lb worker '\(name)'", attribute: attribute, log: &log)
            case .status:
                if AttributeCatalog.common.contains(attribute) || AttributeCatalog.status.contains(attribute) {
                    continue
                }
                noEffect(property, on: "status worker '\(name)'", attribute: attribute, log: &log)
            case .unsupported:
                continue
            }
        }
    }

    /// The generic "has no effect" warning, saying who would read the attribute.
    private func noEffect(_ property: StoredProperty, on subject: String, attribute: String,
                          log: inout DiagnosticLog) {
        let readers = [("ajp13 workers", AttributeCatalog.ajp13), ("members of an lb", AttributeCatalog.member),
                       ("lb workers", AttributeCatalog.loadBalancer), ("status workers", AttributeCatalog.status)]
            .filter { $0.1.contains(attribute) }.map(\.0)
        let reader: String
        if attribute == "list" || attribute == "maintain" {
            reader = "did you mean worker.\(attribute)?"
        } else if attribute == "secretkey" {
            reader = "it is read only by ajp14 workers, which SwiftJK does not support"
        } else if attribute == "max_packet_size" {
            reader = "an lb uses the largest max_packet_size of its members"
        } else {
            reader = "it is read only by " + readers.joined(separator: " and ")
        }
        log.warning(.attributeHasNoEffect, "'\(property.key)' has no effect on \(subject); \(reader)",
                    at: property.location)
    }

    /// `host:port`, port 0 and recovery_options 8+16 on an ajp13 worker.
    private func warnAboutConnection(of name: String, _ settings: AJPWorkerSettings, log: inout DiagnosticLog) {
        let reader = WorkerPropertyReader(store: store, worker: name)
        if Self.hasEmbeddedPort(settings.host) {
            log.warning(.hostWithPort,
                        "'worker.\(name).host=\(settings.host)' contains ':port', which mod_jk does not split: the"
                            + " whole value is resolved as a host name and fails, disabling the worker. Put the"
                            + " port in 'worker.\(name).port'", at: reader.property("host")?.location)
        }
        if settings.port == 0, let port = reader.property("port") {
            let member = (graph.loadBalancers[name]?.isEmpty == false) ? "; as an lb member it is Stopped" : ""
            log.warning(.contactDisabled,
                        "'worker.\(name).port=\(port.value)' is 0, which disables contact with the backend"
                            + "\(member). Set the backend's AJP port", at: port.location)
        }
        if settings.recoveryOptions.contains([.alwaysRecoverHEAD, .alwaysRecoverGET]) {
            log.warning(.recoveryOptionsGETIgnored,
                        "'worker.\(name).recovery_options=\(settings.recoveryOptions.rawValue)' sets both 8 and 16;"
                            + " mod_jk then honours only 8 (HEAD), GET requests are not always recovered",
                        at: reader.property("recovery_options")?.location)
        }
    }

    /// A list value with a piece ending in `\` (T05): no continuation, the `\` becomes a worker name.
    private func warnAboutBackslash(in key: String, log: inout DiagnosticLog) {
        guard let property = store.property(forKey: key), property.copiedFrom == nil else { return }
        for piece in property.pieces where piece.text.utf8.contains(UInt8(ascii: "\\")) {
            log.warning(.backslashIsNotContinuation,
                        "'\(key)=\(piece.text)' contains '\\': workers.properties has no line continuation, so"
                            + " '\\' is taken as a worker name and the next line is not part of the list."
                            + " Put all names on one line", at: piece.location)
        }
    }

    /// For a key `worker.<attribute>` other than `worker.list` and `worker.maintain`, the attribute.
    static func globalAttribute(ofKey key: String) -> String? {
        guard key.utf8.starts(with: "worker.".utf8), AttributeCatalog.workerAttribute(ofKey: key) == nil else {
            return nil
        }
        let attribute = AttributeCatalog.attribute(ofKey: key)
        return (attribute == "list" || attribute == "maintain") ? nil : attribute
    }

    /// True for `name:port` and `[v6]:port` (one colon, or a bracketed literal followed by `:`).
    static func hasEmbeddedPort(_ host: String) -> Bool {
        let bytes = Array(host.utf8)
        let colons = bytes.filter { $0 == UInt8(ascii: ":") }.count
        if bytes.first == UInt8(ascii: "[") {
            return PropertyStore.find(Array("]:".utf8), in: bytes, from: 0) != nil
        }
        return colons == 1
    }
}
