/// The validated worker model of a workers.properties configuration (plus `JkWorkerProperty` lines),
/// built exactly as mod_jk 1.2.48 would build it (reference §6, §7).
///
/// ```
/// worker.list=lb,jkstatus            ⇒ listed   = [lb, jkstatus]
/// worker.lb.type=lb                  ⇒ workers  = [lb, tomcat1, tomcat2, jkstatus]
/// worker.lb.balance_workers=tomcat1,tomcat2
/// worker.tomcat1.port=28009          ⇒ tomcat1: ajp13 on localhost:28009, route tomcat1
/// worker.jkstatus.type=status
/// ```
public struct WorkersConfiguration: Sendable {
    /// Every worker instance: worker.list entries and lb members (each name once), creation order.
    public var workers: [WorkerDefinition]
    /// worker.list names, in order, addressable by mounts.
    public var listed: [String]
    /// worker.maintain seconds (default 60); values < 0 become 0, and 0 disables maintenance.
    public var maintainInterval: Int
    /// worker.X.mount values for listed workers, in worker.list order.
    public var mounts: [WorkerMountProperty]
    /// Where each property key was last set (for diagnostics that name the exact line).
    public var propertyLocations: [String: SourceLocation] = [:]
    /// Every property as loaded (after references and `$(...)` substitution), in store order:
    /// what the status worker's `dump` prints.
    public var properties: [(key: String, value: String)] = []

    /// Creates a configuration from its parts.
    public init(workers: [WorkerDefinition], listed: [String], maintainInterval: Int, mounts: [WorkerMountProperty]) {
        self.workers = workers
        self.listed = listed
        self.maintainInterval = maintainInterval
        self.mounts = mounts
    }

    /// The position of the worker called `name` in `workers` (names are case-sensitive).
    public func index(ofWorker name: String) -> Int? {
        workers.firstIndex { $0.name == name }
    }

    /// Reads the sources in order (JkWorkerProperty lines first, then the built-in ServerRoot property,
    /// then the file), applies §6.3 substitution, §6.4 duplicates, §6.6 reference, validates (§7.7), and
    /// builds the model. Returns nil when log has errors. With no sources at all, the implicit
    /// `worker.list=ajp13` (one ajp13 worker on localhost:8009) applies.
    ///
    /// Sources of kind `.directive` are read first, then `ServerRoot=<serverRoot>` is set, then the
    /// `.workersFile` sources, each group in the given order. "Has errors" means this call logged an error;
    /// entries already in `log` are kept and do not count. Unlike mod_jk, reading goes on after an error so
    /// that every problem is reported at once; the result is nil all the same.
    ///
    /// - Parameters:
    ///   - sources: the `JkWorkerProperty` arguments and the `JkWorkersFile` contents.
    ///   - serverRoot: httpd's ServerRoot, available as `$(ServerRoot)`.
    ///   - environment: the process environment lookup used for `$(NAME)` (`getenv`).
    ///   - log: receives every error and warning, each with its file and line.
    public static func load(sources: [PropertySource], serverRoot: String, environment: (String) -> String?,
                            log: inout DiagnosticLog) -> WorkersConfiguration? {
        var local = DiagnosticLog()
        defer { log.append(contentsOf: local) }
        var store = PropertyStore()
        for source in sources where source.kind == .directive {
            read(source, into: &store, environment: environment, log: &local)
        }
        store.put(key: "ServerRoot", value: serverRoot, location: nil)
        for source in sources where source.kind == .workersFile {
            read(source, into: &store, environment: environment, log: &local)
        }
        guard store.resolveReferences(log: &local) else { return nil }

        var graph = WorkerGraphBuilder(store: store)
        graph.build(log: &local)
        WorkersConfigurationLint(store: store, graph: graph).run(log: &local)
        let maintain = maintainInterval(in: store, log: &local)
        guard !local.hasErrors else { return nil }
        var configuration = WorkersConfiguration(workers: graph.definitions, listed: graph.listed,
                                                 maintainInterval: maintain, mounts: mounts(of: graph.listed, in: store))
        for property in store.properties {
            if let location = property.location { configuration.propertyLocations[property.key] = location }
            configuration.properties.append((property.key, property.value))
        }
        return configuration
    }

    /// Reads every line of one source into the store.
    private static func read(_ source: PropertySource, into store: inout PropertyStore,
                             environment: (String) -> String?, log: inout DiagnosticLog) {
        var lastSplitLine: SourceLocation?
        for line in SourceLineReader.lines(of: source) {
            if source.kind == .directive, line.raw.utf8.count > SourceLineReader.maximumDirectiveLength {
                log.error(.lineTooLong,
                          "JkWorkerProperty argument is \(line.raw.utf8.count) bytes long; mod_jk accepts at most"
                              + " \(SourceLineReader.maximumDirectiveLength). Shorten it", at: line.location)
                continue
            }
            if line.isContinuationOfLongLine, line.location != lastSplitLine {
                lastSplitLine = line.location
                log.warning(.longLineSplit,
                            "line is longer than \(SourceLineReader.fileReadSize) bytes; mod_jk reads the rest as"
                                + " separate lines (each parsed on its own). Shorten it", at: line.location)
            }
            if source.kind == .workersFile, let key = SourceLineReader.keyEmptiedByHash(line) {
                log.warning(.valueCutAtHash,
                            "'#' starts a comment anywhere on a line, so '\(key)' gets an empty value and mod_jk"
                                + " ignores the line; a value cannot contain '#'", at: line.location)
            }
            guard let property = line.property else { continue }
            if source.kind == .workersFile, let dropped = SourceLineReader.valueCutAtHash(line) {
                log.warning(.valueCutAtHash,
                            "'#' starts a comment anywhere on a line, so '\(property.key)' is '\(property.value)'"
                                + " and '\(dropped)' is ignored; a value cannot contain '#'", at: line.location)
            }
            store.read(property, environment: environment, log: &log)
        }
    }

    /// `worker.maintain` read as an integer (`30` then `45` is stored as `30*45` ⇒ 30); negative ⇒ 0.
    private static func maintainInterval(in store: PropertyStore, log: inout DiagnosticLog) -> Int {
        guard let property = store.property(forKey: "worker.maintain") else { return 60 }
        return max(0, WorkerPropertyReader.integer(of: property, log: &log))
    }

    /// The `worker.X.mount` patterns of the listed workers.
    private static func mounts(of listed: [String], in store: PropertyStore) -> [WorkerMountProperty] {
        listed.flatMap { worker in
            WorkerPropertyReader(store: store, worker: worker).list("mount").map { token in
                WorkerMountProperty(pattern: token.text, worker: worker,
                                    location: token.location ?? SourceLocation(file: "workers.properties", line: 0))
            }
        }
    }
}
