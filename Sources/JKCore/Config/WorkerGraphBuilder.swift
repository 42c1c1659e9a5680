/// Creates the worker instances the way mod_jk's `wc_open`/`wc_create_worker` and the lb `validate` do:
/// every `worker.list` name in order (the implicit `ajp13` when `worker.list` is not set), and for an lb
/// its members right after it. Each name becomes one `WorkerDefinition`, however often it is used.
///
/// Errors are the startup failures of reference §7.7; a failed worker is left out and building goes on,
/// so one run reports every problem.
struct WorkerGraphBuilder {
    /// All properties, references resolved.
    let store: PropertyStore
    /// The instances created so far, in creation order.
    private(set) var definitions: [WorkerDefinition] = []
    /// Position of each name in `definitions`.
    private(set) var positions: [String: Int] = [:]
    /// The `worker.list` names in order, each once.
    private(set) var listed: [String] = []
    /// For each member name, the lbs it belongs to, in creation order.
    private(set) var loadBalancers: [String: [String]] = [:]
    /// True when `worker.list` was not set and the implicit `worker.list=ajp13` applied.
    private(set) var usesImplicitList = false
    /// Every name mod_jk tried to create (listed or member), including those that failed.
    private(set) var attempted: Set<String> = []
    /// Members whose route, domain and redirect lengths were checked (once, however many lbs use them).
    private var lengthChecked: Set<String> = []

    /// Creates a builder over resolved properties.
    init(store: PropertyStore) {
        self.store = store
    }

    /// Creates every worker; then applies the lb secret inheritance and the port-0 rule to members.
    mutating func build(log: inout DiagnosticLog) {
        for entry in listEntries(log: &log) {
            if listed.contains(entry.text) {
                log.warning(.duplicateListEntry,
                            "worker '\(entry.text)' is listed in worker.list more than once; mod_jk creates it"
                                + " twice and keeps the later instance. List it once", at: entry.location)
                continue
            }
            listed.append(entry.text)
            create(entry.text, at: entry.location, log: &log)
        }
        applyMemberRules(log: &log)
    }

    /// The `worker.list` tokens, or the implicit `ajp13`.
    private mutating func listEntries(log: inout DiagnosticLog) -> [(text: String, location: SourceLocation?)] {
        guard let property = store.property(forKey: "worker.list") else {
            usesImplicitList = true
            return [("ajp13", nil)]
        }
        let entries = WorkerPropertyReader.tokens(of: property)
        if entries.isEmpty {
            log.error(.emptyWorkerList,
                      "worker.list='\(property.value)' names no worker, so mod_jk cannot create any;"
                          + " list the workers separated by commas", at: property.location)
        }
        return entries
    }

    /// `wc_create_worker`: one instance of `name` unless it already exists.
    private mutating func create(_ name: String, at location: SourceLocation?, log: inout DiagnosticLog) {
        guard positions[name] == nil else { return }
        attempted.insert(name)
        let reader = WorkerPropertyReader(store: store, worker: name)
        guard reader.checkLength(name, of: "worker name", attribute: nil, fallback: location, log: &log) else {
            return
        }
        let typeProperty = reader.property("type")
        let typeLocation = typeProperty?.location ?? location
        switch typeProperty?.value ?? "ajp13" {
        case "ajp13":
            append(name, .ajp13(reader.ajp13Settings(fallback: location, log: &log)), at: location)
        case "status":
            append(name, .status(reader.statusSettings(log: &log)), at: location)
        case "lb":
            createLoadBalancer(reader, at: location, typeLocation: typeLocation, log: &log)
        case let type where type == "ajp12" || type == "ajp14" || type == "jni":
            let modJK = type == "ajp12" ? "mod_jk 1.2.48 still starts with it"
                : type == "ajp14" ? "mod_jk 1.2.48 refuses to start without a secretkey for it"
                : "mod_jk 1.2.48 refuses to start with it (Unknown worker type)"
            log.warning(.unsupportedWorkerType,
                        "worker '\(name)' has type '\(type)' ('worker.\(name).type'), which SwiftJK does not serve"
                            + " (\(modJK)); Apache starts, but requests mapped to it get 503. Use type=ajp13"
                            + (type == "ajp14" ? " and set the port (ajp14 defaulted to 8011)" : "")
                            + (type == "ajp12" ? " and the AJP/1.3 port of the Tomcat (ajp12 used 8007)" : "")
                            + ", or remove the worker", at: typeLocation)
            append(name, .unsupported(type: type), at: location)
        case let type:
            let hint = ["ajp13", "lb", "status"].contains(Self.lowercased(type))
                ? " (types are case-sensitive: write '\(Self.lowercased(type))')" : ""
            log.error(.unknownWorkerType,
                      "worker '\(name)' has unknown type '\(type)' ('worker.\(name).type')\(hint);"
                          + " the types are ajp13, lb and status", at: typeLocation)
        }
    }

    /// An lb and then each of its members.
    private mutating func createLoadBalancer(_ reader: WorkerPropertyReader, at location: SourceLocation?,
                                             typeLocation: SourceLocation?, log: inout DiagnosticLog) {
        let name = reader.worker
        var settings = reader.loadBalancerSettings(log: &log)
        var members = reader.list("balance_workers")
        if members.isEmpty { members = reader.list("balanced_workers") }
        guard !members.isEmpty else {
            log.error(.loadBalancerWithoutMembers,
                      "lb worker '\(name)' has no members; add 'worker.\(name).balance_workers=' with the"
                          + " names of its ajp13 workers", at: typeLocation)
            return
        }
        let lbPosition = definitions.count
        append(name, .lb(settings), at: location)
        var memberSettings: [(name: String, settings: AJPWorkerSettings, location: SourceLocation?)] = []
        for member in members {
            let memberReader = WorkerPropertyReader(store: store, worker: member.text)
            let type = memberReader.string("type") ?? "ajp13"
            attempted.insert(member.text)
            if ["lb", "status", "ajp12", "ajp14", "jni"].contains(type) || member.text == name {
                log.error(.memberNotAJP13,
                          "member '\(member.text)' of lb '\(name)' is a \(type) worker; lb members must be ajp13"
                              + " workers", at: memberReader.property("type")?.location ?? member.location)
                continue
            }
            loadBalancers[member.text, default: []].append(name)
            create(member.text, at: member.location, log: &log)
            if let position = positions[member.text], definitions.indices.contains(position),
               case .ajp13(let ajp) = definitions[position].kind {
                memberSettings.append((member.text, ajp, member.location))
            }
        }
        checkMembers(of: name, memberSettings, log: &log)
        settings.maxPacketSize = memberSettings.map(\.settings.maxPacketSize).max() ?? settings.maxPacketSize
        if definitions.indices.contains(lbPosition) { definitions[lbPosition].kind = .lb(settings) }
    }

    /// Length limits of route/domain/redirect and the "share the same route" check of the lb `validate`.
    private mutating func checkMembers(of lb: String,
                              _ members: [(name: String, settings: AJPWorkerSettings, location: SourceLocation?)],
                              log: inout DiagnosticLog) {
        for (index, member) in members.enumerated() {
            let reader = WorkerPropertyReader(store: store, worker: member.name)
            if lengthChecked.insert(member.name).inserted {
                let routeAttribute = reader.property("route") != nil ? "route" : "jvm_route"
                _ = reader.checkLength(member.settings.route, of: "route", attribute: routeAttribute,
                                       fallback: member.location, log: &log)
                _ = reader.checkLength(member.settings.domain, of: "domain", attribute: "domain",
                                       fallback: member.location, log: &log)
                _ = reader.checkLength(member.settings.redirect, of: "redirect route", attribute: "redirect",
                                       fallback: member.location, log: &log)
            }
            guard let earlier = members[..<index].first(where: { $0.settings.route == member.settings.route })
            else { continue }
            let how = member.name == earlier.name
                ? "'\(member.name)' is listed twice in the members of lb '\(lb)'"
                : "members '\(earlier.name)' and '\(member.name)' of lb '\(lb)' share the route"
                    + " '\(member.settings.route)'"
            log.error(.duplicateRoute,
                      "\(how); mod_jk refuses to start. Give every member its own route"
                          + " ('worker.\(member.name).route=…', the Tomcat jvmRoute)",
                      at: reader.property("route")?.location ?? member.location)
        }
    }

    /// Appends a definition.
    private mutating func append(_ name: String, _ kind: WorkerKind, at location: SourceLocation?) {
        positions[name] = definitions.count
        definitions.append(WorkerDefinition(name: name, kind: kind, location: location))
    }

    /// For each lb member: the lb secret for members without their own, and activation Stopped for port 0.
    private mutating func applyMemberRules(log: inout DiagnosticLog) {
        for (position, definition) in definitions.enumerated() {
            guard let lbs = loadBalancers[definition.name], case .ajp13(var settings) = definition.kind else {
                continue
            }
            if store.property(forKey: AttributeCatalog.key(worker: definition.name, "secret")) == nil {
                let lbSecrets = lbs.map { secret(ofLoadBalancer: $0) }
                let contexts = (listed.contains(definition.name) ? [nil] : []) + lbSecrets
                settings.secret = lbSecrets.compactMap { $0 }.first
                if Set(contexts.map { $0 ?? "" }).count > 1 {
                    log.warning(.ambiguousInheritedSecret,
                                "worker '\(definition.name)' has no secret of its own but is used where mod_jk"
                                    + " sends different secrets (lbs \(lbs.joined(separator: ", "))"
                                    + (listed.contains(definition.name) ? " and directly from worker.list" : "")
                                    + "); SwiftJK sends '\(settings.secret ?? "")' everywhere. Set"
                                    + " 'worker.\(definition.name).secret' explicitly", at: definition.location)
                }
            }
            if settings.port == 0 { settings.activation = .stopped }
            definitions[position].kind = .ajp13(settings)
        }
    }

    /// The configured secret of an lb, if it was created.
    private func secret(ofLoadBalancer name: String) -> String? {
        guard let position = positions[name], definitions.indices.contains(position),
              case .lb(let settings) = definitions[position].kind else { return nil }
        return settings.secret
    }

    /// ASCII lower case.
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
