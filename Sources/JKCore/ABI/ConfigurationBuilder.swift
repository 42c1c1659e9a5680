import CJKCore
import Glibc

extension ConfigDiagnostic.Code {
    /// JkMount/JkUnMount/mount rule names a worker that does not exist (requests get 500).
    public static let mountToUndefinedWorker = ConfigDiagnostic.Code("mount-undefined-worker")
    /// A worker in worker.list that no rule of any server maps to.
    public static let workerNeverMounted = ConfigDiagnostic.Code("worker-never-mounted")
    /// JkEnvVar names an attribute Tomcat treats as trusted (Ghostcat class, CVE-2020-1938).
    public static let unsafeEnvVarName = ConfigDiagnostic.Code("unsafe-envvar-name")
    /// A configuration file cannot be read.
    public static let unreadableFile = ConfigDiagnostic.Code("unreadable-file")
    /// A worker's host does not resolve: the worker is disabled.
    public static let unresolvableHost = ConfigDiagnostic.Code("unresolvable-host")
}

/// Turns the shim's raw directive values into a `Registry`, collecting every diagnostic.
public enum ConfigurationBuilder {
    /// Builds the registry, or nil when `log` has errors.
    public static func build(_ input: sjk_config_input_t, log: inout DiagnosticLog) -> Registry? {
        let sources = propertySources(input, log: &log)
        let serverRoot = input.server_root.string ?? ""
        guard let configuration = WorkersConfiguration.load(sources: sources, serverRoot: serverRoot,
                                                            environment: environment, log: &log) else {
            return nil
        }
        checkEnvVarNames(input, log: &log)
        let threads = Int(max(input.threads_per_child, 1))
        let runtimes = buildRuntimes(configuration, threads: threads, log: &log)
        let names = Dictionary(configuration.workers.enumerated().map { ($1.name, Int32($0)) },
                               uniquingKeysWith: { first, _ in first })
        let resolve: @Sendable (String) -> Int32 = { names[$0] ?? -1 }
        let servers = buildServers(input, configuration: configuration, resolve: resolve,
                                   implicit: sources.isEmpty, log: &log)
        guard !log.hasErrors else { return nil }
        return Registry(configuration: configuration, runtimes: runtimes, servers: servers,
                        watchdogSeconds: Int(input.watchdog_interval))
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    private static func propertySources(_ input: sjk_config_input_t, log: inout DiagnosticLog) -> [PropertySource] {
        var sources: [PropertySource] = []
        for line in UnsafeBufferPointer(start: input.properties, count: input.property_count) {
            guard let text = line.text.string else { continue }
            sources.append(.directive(text, file: line.origin.file.string ?? "httpd.conf", line: Int(line.origin.line)))
        }
        if let path = input.workers_file.string {
            if let text = FileText.read(path) {
                sources.append(.workersFile(text, file: path))
            } else {
                log.error(.unreadableFile, "JkWorkersFile \(path) cannot be read; check the path and permissions")
            }
        }
        return sources
    }

    /// Ghostcat rule 3 (reference §2.4): refuse names Tomcat would trust as container-internal.
    private static func checkEnvVarNames(_ input: sjk_config_input_t, log: inout DiagnosticLog) {
        let forbidden = ["javax.servlet.include.", "javax.servlet.forward.", "jakarta.servlet.include.",
                         "jakarta.servlet.forward.", "org.apache."]
        var reported = Set<String>()
        for directive in UnsafeBufferPointer(start: input.env_vars, count: input.env_var_count) {
            guard let name = directive.name.string, forbidden.contains(where: { name.hasPrefix($0) }) else { continue }
            let location = SourceLocation(file: directive.origin.file.string ?? "httpd.conf",
                                          line: Int(directive.origin.line))
            // A vhost inherits the main server's JkEnvVar entries: report each directive once.
            guard reported.insert(location.description + name).inserted else { continue }
            log.error(.unsafeEnvVarName, "JkEnvVar \(name) would forward a container-internal request "
                      + "attribute (the Ghostcat attack, CVE-2020-1938); SwiftJK refuses it. To go on, "
                      + "rename the variable (for example JkEnvVar SJK_\(name.split(separator: ".").last ?? "VALUE")) "
                      + "and read that name in the application, or remove the JkEnvVar line.", at: location)
        }
    }

    /// Runtimes in worker order: ajp13 endpoints first, then each lb over its members' endpoints.
    /// Slot layout: slot i belongs to worker i; the (lb, member) slots follow in lb order.
    private static func buildRuntimes(_ configuration: WorkersConfiguration, threads: Int,
                                      log: inout DiagnosticLog) -> [WorkerRuntime] {
        var runtimes: [WorkerRuntime] = []
        for worker in configuration.workers {
            guard case .ajp13(let settings) = worker.kind else {
                // lb runtimes replace the placeholder below.
                switch worker.kind {
                case .status(let status): runtimes.append(.status(status))
                case .unsupported(let type): runtimes.append(.unsupported(type))
                case .ajp13, .lb: runtimes.append(.status(StatusWorkerSettings()))
                }
                continue
            }
            let address = BackendAddress.resolve(host: settings.host, port: settings.port,
                                                 preferIPv6: settings.preferIPv6)
            if address == nil && settings.port > 0 {
                log.warning(.unresolvableHost, "worker \(worker.name): host \(settings.host) port \(settings.port) "
                            + "cannot be resolved; the worker is disabled (requests to it get 503), as mod_jk does",
                            at: worker.location)
            }
            runtimes.append(.ajp(AJPEndpoint(name: worker.name, address: address,
                                             settings: AJPEndpoint.Settings(settings, threadsPerChild: threads),
                                             configured: settings, threadsPerChild: threads)))
        }
        var nextMemberSlot = configuration.workers.count
        for (index, worker) in configuration.workers.enumerated() {
            guard case .lb(let settings) = worker.kind else { continue }
            var inputs: [BalancerTopology.MemberInput] = []
            var endpoints: [AJPEndpoint?] = []
            for name in settings.members {
                guard let member = configuration.index(ofWorker: name),
                      case .ajp13(let memberSettings) = configuration.workers[member].kind else { continue }
                inputs.append(BalancerTopology.MemberInput(name: name, settings: memberSettings,
                                                           memberSlot: nextMemberSlot, workerSlot: member))
                nextMemberSlot += 1
                if case .ajp(let endpoint) = runtimes[member] { endpoints.append(endpoint) } else { endpoints.append(nil) }
            }
            BalancerLint.lint(settings: settings, members: inputs.map(\.settings), names: inputs.map(\.name),
                              location: worker.location, locate: { configuration.propertyLocations[$0] }, log: &log)
            let topology = BalancerTopology(settings: settings, members: inputs, balancerSlot: index,
                                            maintainInterval: configuration.maintainInterval)
            runtimes[index] = .loadBalancer(LoadBalancerRuntime(name: worker.name, topology: topology,
                                                                memberNames: inputs.map(\.name), endpoints: endpoints,
                                                                memberInputs: inputs))
        }
        return runtimes
    }

    private static func buildServers(_ input: sjk_config_input_t, configuration: WorkersConfiguration,
                                     resolve: @escaping @Sendable (String) -> Int32, implicit: Bool,
                                     log: inout DiagnosticLog) -> [ServerMap] {
        let inputs = Array(UnsafeBufferPointer(start: input.servers, count: input.server_count))
        var ownRules: [[MountRule]] = []
        var fileRules: [[MountRule]] = []
        for (index, server) in inputs.enumerated() {
            var rules: [MountRule] = []
            for mount in UnsafeBufferPointer(start: server.mounts, count: server.mount_count) {
                let location = SourceLocation(file: mount.origin.file.string ?? "httpd.conf", line: Int(mount.origin.line))
                rules += MountRule.parse(pattern: mount.pattern.string ?? "", workerSpec: mount.worker.string ?? "",
                                         source: .jkMount, location: location, log: &log)
            }
            if index == 0 {
                for mount in configuration.mounts {
                    rules += MountRule.parse(pattern: mount.pattern, workerSpec: mount.worker, source: .workerProperty,
                                             location: mount.location, log: &log)
                }
            }
            ownRules.append(rules)
            var fromFile: [MountRule] = []
            if let path = server.mount_file.string {
                if let text = FileText.read(path) {
                    fromFile = MountFileParser.parse(text, file: path, log: &log)
                } else {
                    log.error(.unreadableFile, "JkMountFile \(path) cannot be read")
                }
            }
            fileRules.append(fromFile)
        }
        var maps: [ServerMap] = []
        var mounted = Set<String>()
        for (index, server) in inputs.enumerated() {
            var fixed = ownRules[index]
            var file = fileRules[index]
            var fileName = server.mount_file.string
            let copies = server.mount_copy == Int32(SJK_MOUNT_COPY_ON) || server.mount_copy == Int32(SJK_MOUNT_COPY_ALL)
            if index > 0, copies, let main = ownRules.first {
                if fixed.isEmpty && fileName == nil {
                    // A copying vhost with no rules of its own uses the main server's whole map,
                    // worker.X.mount rules included, as mod_jk does (it shares the map).
                    fixed = main
                } else {
                    fixed = URIMap(rules: fixed).inheriting(from: URIMap(rules: main)).rules
                }
                if fileName == nil, let mainFile = inputs.first?.mount_file.string {
                    fileName = mainFile
                    file = fileRules.first ?? []
                }
            }
            let reload = server.mount_file_reload >= 0 ? Int(server.mount_file_reload)
                : (inputs.first.map { $0.mount_file_reload >= 0 ? Int($0.mount_file_reload) : 60 } ?? 60)
            for rule in fixed + file where !rule.isDisabled && !rule.isExclusion {
                mounted.insert(rule.worker)
                if resolve(rule.worker) < 0 {
                    log.warning(.mountToUndefinedWorker, "JkMount \(rule.pattern) names worker '\(rule.worker)', "
                                + "which is not defined in worker.list or as a balancer member; requests to it "
                                + "will get 500 (as with mod_jk)", at: rule.location)
                }
            }
            let map = ServerMap(fixedRules: fixed, mountFile: fileName, fileRules: file, reloadSeconds: reload,
                                resolveWorker: resolve, log: &log)
            map.displayName = server.name.string ?? ""
            maps.append(map)
        }
        // The implicit worker ajp13 (no workers.properties at all) is not worth a warning.
        for name in configuration.listed where !mounted.contains(name) && !implicit {
            if case .status? = configuration.workers.first(where: { $0.name == name })?.kind { continue }
            log.warning(.workerNeverMounted, "worker \(name) is in worker.list but no JkMount, JkMountFile or "
                        + "worker.\(name).mount maps a URI to it (it is still reachable via JK_WORKER_NAME)")
        }
        return maps
    }
}
