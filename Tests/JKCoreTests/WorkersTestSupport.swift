@testable import JKCore

/// The outcome of loading one workers.properties text in a test.
struct WorkersLoadResult {
    /// The configuration, nil when loading failed.
    var configuration: WorkersConfiguration?
    /// Every diagnostic.
    var log: DiagnosticLog

    /// The diagnostics with `code`.
    func entries(_ code: ConfigDiagnostic.Code) -> [ConfigDiagnostic] {
        log.entries.filter { $0.code == code }
    }

    /// The line numbers of the diagnostics with `code`.
    func lines(_ code: ConfigDiagnostic.Code) -> [Int] {
        entries(code).map { $0.location?.line ?? -1 }
    }

    /// The codes of all warnings, in order.
    var warningCodes: [ConfigDiagnostic.Code] {
        log.entries.filter { $0.severity == .warning }.map(\.code)
    }

    /// The codes of all errors, in order.
    var errorCodes: [ConfigDiagnostic.Code] {
        log.entries.filter { $0.severity == .error }.map(\.code)
    }

    /// The definition of `name`.
    func worker(_ name: String) -> WorkerDefinition? {
        guard let configuration, let index = configuration.index(ofWorker: name) else { return nil }
        return configuration.workers[index]
    }

    /// The ajp13 settings of `name`.
    func ajp(_ name: String) -> AJPWorkerSettings? {
        guard case .ajp13(let settings) = worker(name)?.kind else { return nil }
        return settings
    }

    /// The lb settings of `name`.
    func lb(_ name: String) -> LoadBalancerSettings? {
        guard case .lb(let settings) = worker(name)?.kind else { return nil }
        return settings
    }

    /// The status settings of `name`.
    func status(_ name: String) -> StatusWorkerSettings? {
        guard case .status(let settings) = worker(name)?.kind else { return nil }
        return settings
    }
}

/// Loads `text` as the workers file `workers.properties`, after `directives` (JkWorkerProperty lines of
/// `httpd.conf`, numbered from line 10).
func loadWorkers(_ text: String?, directives: [String] = [], environment: [String: String] = [:],
                 serverRoot: String = "/etc/apache2") -> WorkersLoadResult {
    var sources: [PropertySource] = []
    for (offset, directive) in directives.enumerated() {
        sources.append(.directive(directive, file: "httpd.conf", line: 10 + offset))
    }
    if let text { sources.append(.workersFile(text, file: "workers.properties")) }
    var log = DiagnosticLog()
    let configuration = WorkersConfiguration.load(sources: sources, serverRoot: serverRoot,
                                                  environment: { environment[$0] }, log: &log)
    return WorkersLoadResult(configuration: configuration, log: log)
}

/// Joins lines with newlines.
func workersText(_ lines: String...) -> String {
    lines.joined(separator: "\n")
}
