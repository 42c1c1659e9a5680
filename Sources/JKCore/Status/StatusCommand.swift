import CJKCore

/// The status worker's commands (`cmd=`), with mod_jk's properties.
public enum StatusCommand: String, Sendable, CaseIterable {
    /// Every worker of `worker.list`.
    case list
    /// One worker (`w`), or one member (`w` + `sw`).
    case show
    /// The HTML edit form.
    case edit
    /// Apply `v*` / `val*` values.
    case update
    /// Zero statistics.
    case reset
    /// Mark an ERR member for recovery.
    case recover
    /// Header only.
    case version
    /// The startup properties.
    case dump

    /// Allowed when the status worker or the request is read-only.
    public var isReadOnly: Bool {
        switch self {
        case .list, .show, .version, .dump: true
        case .edit, .update, .reset, .recover: false
        }
    }

    /// Needs a valid `w`.
    public var needsWorker: Bool {
        switch self {
        case .list, .version, .dump: false
        default: true
        }
    }
}

/// The output formats (`mime=`).
public enum StatusFormat: String, Sendable, CaseIterable {
    /// The browser page (default).
    case html
    /// XML elements.
    case xml
    /// One line per object.
    case txt
    /// Java-properties-like lines.
    case prop

    /// The `Content-Type` header value.
    public var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .xml: "text/xml"
        case .txt, .prop: "text/plain"
        }
    }
}

/// What a status request produced.
public struct StatusResponse: Sendable, Equatable {
    /// HTTP status (200 as in mod_jk, 403 for a refused cross-site change).
    public var status: Int
    /// `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: String
    /// The `Allow` header of a 405 answer.
    public var allow: String? = nil
}

/// One status request, everything it needs given as values, so it runs (and is tested) without
/// Apache: the command logic of mod_jk's `service()` in jk_status.c.
public struct StatusCommandContext {
    /// The status worker's attributes.
    public var settings: StatusWorkerSettings
    /// The configuration and shared state.
    public var registry: Registry
    /// The status worker's name.
    public var statusName: String
    /// The request's parameters.
    public var query: StatusQuery
    /// `REMOTE_USER`, nil when not authenticated.
    public var remoteUser: String?
    /// The request URI path (links and forms point back to it).
    public var uri: String
    /// Why the request looks cross-site (see `StatusService.crossSiteReason`), nil when it does not.
    public var crossSite: String?
    /// False for a form POST whose nonce is missing or wrong.
    public var nonceValid: Bool
    /// Log sink (`SJK_LOG_*` level, message).
    public var log: (Int, String) -> Void
    /// Unix time (tests fix it).
    public var now: Int64 = WallClock.seconds()
    /// The HTTP method (the JSON API takes changes only by POST).
    public var method = "GET"

    /// Creates a context.
    public init(settings: StatusWorkerSettings, registry: Registry, statusName: String, query: StatusQuery,
                remoteUser: String?, uri: String, crossSite: String?, nonceValid: Bool,
                log: @escaping (Int, String) -> Void) {
        self.settings = settings
        self.registry = registry
        self.statusName = statusName
        self.query = query
        self.remoteUser = remoteUser
        self.uri = uri
        self.crossSite = crossSite
        self.nonceValid = nonceValid
        self.log = log
    }

    /// Runs the command and renders the response.
    public func run(serverName: String, serverPort: Int, webServer: String) -> StatusResponse {
        switch query["mime"] {
        case "prometheus", "metrics":
            return runPrometheus(serverName: serverName, serverPort: serverPort, webServer: webServer)
        case "json":
            return runJSON(serverName: serverName, serverPort: serverPort, webServer: webServer)
        case "js":
            return StatusResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: StatusScript.source)
        default:
            break
        }
        // mod_jk answers an unknown mime in the prop format.
        let format = StatusFormat(rawValue: query["mime"] ?? "html") ?? .prop
        let command = StatusCommand(rawValue: query["cmd"] ?? "list")
        let rating = StatusRating(good: settings.good, bad: settings.bad)
        var page = StatusPage(serverName: serverName, serverPort: serverPort, webServer: webServer,
                              snapshot: StatusSnapshot(), scope: .resultOnly, settings: settings)
        page.snapshot.now = now
        var status = 200
        switch execute() {
        case .failure(let message, let httpStatus):
            page.resultType = "ERROR"
            page.resultMessage = message
            status = httpStatus
            log(Int(SJK_LOG_WARNING), "Status worker '\(statusName)': \(message)")
            if format == .html { page.scope = .all }
        case .success(let scope):
            page.scope = scope
            if format == .html {
                // The page shows the list after a change, with its result and a refresh back.
                if scope == .resultOnly { page.scope = .all }
            } else if command == .edit {
                page.scope = .serverOnly
            }
        }
        if page.resultType == "OK", command == .dump {
            return StatusResponse(status: status, contentType: format.contentType, body: renderDump(page, format: format))
        }
        switch page.scope {
        case .all, .worker: page.snapshot = StatusSnapshot.collect(registry, rating: rating, now: now)
        case .resultOnly, .serverOnly, .headerOnly: break
        }
        let body: String = switch format {
        case .txt: page.renderText()
        case .prop: page.renderProp()
        case .xml: page.renderXML()
        case .html: StatusHTML(page: page, query: query, command: command ?? .list, uri: uri,
                               readOnly: isReadOnly, nonce: StatusNonce.value(registry)).render()
        }
        return StatusResponse(status: status, contentType: format.contentType, body: body)
    }

    /// True when the request's user may use this status worker (`user`, `user_case_insensitive`).
    var userAllowed: Bool {
        guard !settings.users.isEmpty else { return true }
        return remoteUser.map { user in
            settings.users.contains { settings.userCaseInsensitive ? $0.lowercased() == user.lowercased() : $0 == user }
        } ?? false
    }

    /// The worker-list view or the error of a command.
    enum Outcome {
        case success(StatusPage.Scope)
        case failure(String, status: Int)
    }

    /// True when changes are refused: `read_only`, or `opt` bit 0x20 for this request.
    var isReadOnly: Bool { settings.readOnly || (query.integer("opt") ?? 0) & 0x20 != 0 }

    private func execute() -> Outcome {
        guard let command = StatusCommand(rawValue: query["cmd"] ?? "list") else {
            return .failure("Invalid command.", status: 200)
        }
        guard StatusFormat(rawValue: query["mime"] ?? "html") != nil else {
            return .failure("Invalid mime type.", status: 200)
        }
        guard userAllowed else { return .failure("Access denied.", status: 200) }
        if !command.isReadOnly {
            guard !isReadOnly else { return .failure("This command is not allowed in read only mode.", status: 200) }
            if command != .edit, let crossSite {
                return .failure("Refused a change requested on behalf of another site (\(crossSite)).", status: 403)
            }
            guard nonceValid else { return .failure("The form has expired; reload the page and try again.", status: 403) }
        }
        guard command.needsWorker else { return .success(command == .list ? .all : .headerOnly) }
        // (`dump` is rendered apart; `version` prints the header.)
        let target: StatusTarget
        switch resolveTarget(command) {
        case .failure(let message): return .failure(message, status: 200)
        case .success(let resolved): target = resolved
        }
        switch command {
        case .show:
            return .success(.worker(name: target.name, member: target.memberNames.first))
        case .edit:
            return .success(.worker(name: target.name, member: target.memberNames.first))
        case .update:
            let editor = makeEditor()
            switch target.runtime {
            case .loadBalancer(let lb):
                if let attribute = query["att"], target.members.isEmpty {
                    guard Self.bulkAttributes.contains(attribute) else {
                        return .failure("Invalid attribute '\(attribute)'.", status: 200)
                    }
                    _ = editor.updateMembers(lb, members: Array(lb.topology.members.indices), query: query,
                                             attribute: attribute)
                } else if target.members.isEmpty {
                    _ = editor.updateBalancer(lb, query: query)
                } else {
                    _ = editor.updateMembers(lb, members: target.members, query: query)
                }
            case .ajp(let endpoint):
                var values = query
                if let attribute = query["att"], let value = query["val0"] {
                    values = StatusQuery(parameters: [attribute: value])
                }
                _ = editor.updateWorker(endpoint, worker: target.index, query: values)
            case .status, .unsupported:
                break
            }
            registry.refreshIfChanged()
            persist()
            return .success(.resultOnly)
        case .reset:
            let editor = makeEditor()
            switch target.runtime {
            case .loadBalancer(let lb): editor.reset(lb, member: target.members.first)
            case .ajp: editor.reset(worker: target.index, name: target.name)
            case .status, .unsupported: break
            }
            return .success(.resultOnly)
        case .recover:
            guard case .loadBalancer(let lb) = target.runtime, let member = target.members.first else {
                return .failure("Marking worker for recovery failed", status: 200)
            }
            do {
                try makeEditor().recover(lb, member: member)
            } catch {
                return .failure(error.message, status: 200)
            }
            return .success(.resultOnly)
        case .list, .version, .dump:
            return .success(.headerOnly)
        }
    }

    /// Attributes that `att` may name (every member at once); host and port are not among them.
    static let bulkAttributes: Set<String> = ["vwa", "vwf", "vwn", "vwr", "vwc", "vwd", "vacpt", "vapng", "vact",
                                              "vapt", "vart", "var", "vari", "vacpi", "varo", "vabl", "vamps"]

    /// Saves the runtime edits when `persist_file` is configured (a failure is logged).
    func persist() {
        if let problem = registry.savePersistedEdits() {
            log(Int(SJK_LOG_WARNING), "Status worker '\(statusName)': runtime edits not persisted: \(problem)")
        }
    }

    func makeEditor() -> StatusEditor {
        let log = self.log
        return StatusEditor(statusName: statusName, registry: registry) { log(Int(SJK_LOG_INFO), $0) }
    }

    /// The worker (and members) a command names.
    struct StatusTarget {
        var name: String
        var index: Int
        var runtime: WorkerRuntime
        var members: [Int]
        var memberNames: [String]
    }

    enum TargetResult {
        case success(StatusTarget)
        case failure(String)
    }

    /// mod_jk's `check_worker` / `search_worker` / `search_sub_worker`, with their messages.
    func resolveTarget(_ command: StatusCommand) -> TargetResult {
        guard let name = query["w"], !name.isEmpty else { return .failure("NULL or EMPTY worker param") }
        let index = Int(registry.workerIndex(name))
        guard index >= 0, index < registry.runtimes.count, registry.configuration.listed.contains(name) else {
            return .failure("Could not find given worker")
        }
        let runtime = registry.runtimes[index]
        var target = StatusTarget(name: name, index: index, runtime: runtime, members: [], memberNames: [])
        switch runtime {
        case .status, .unsupported: return .failure("Could not find given worker")
        case .ajp, .loadBalancer: break
        }
        guard let sub = query["sw"] else {
            if command == .recover { return .failure("EMPTY sub worker param") }
            return .success(target)
        }
        guard case .loadBalancer(let lb) = runtime else {
            return sub.isEmpty ? .success(target) : .failure("worker type has no sub workers")
        }
        guard !sub.isEmpty else { return .failure("EMPTY sub worker param") }
        let wildcard = sub.contains("*") || sub.contains("?")
        if wildcard && command != .update { return .failure("wildcard not allowed in sub worker for this command") }
        for (position, member) in lb.memberNames.enumerated()
            where wildcard ? WildcardPattern.matches(pattern: sub, name: member) : member == sub {
            target.members.append(position)
            target.memberNames.append(member)
        }
        guard !target.members.isEmpty else { return .failure("could not find sub worker") }
        return .success(target)
    }

    /// `cmd=dump`: the startup properties (`.secret` keys left out) after the header, in the
    /// chosen format, as mod_jk prints them.
    private func renderDump(_ page: StatusPage, format: StatusFormat) -> String {
        let lines = registry.configuration.properties.filter { !$0.key.hasSuffix(".secret") }
        var header = page
        header.scope = .headerOnly
        switch format {
        case .prop:
            let text = header.renderProp()
            let (head, result) = Self.splitLastLines(text, count: 2)
            return head + lines.map { "\($0.key)=\($0.value)\n" }.joined() + result
        case .txt:
            let (head, result) = Self.splitLastLines(header.renderText(), count: 1)
            return head + "Configuration:\n" + lines.map { "\($0.key)=\($0.value)\n" }.joined() + result
        case .xml:
            let (head, result) = Self.splitLastLines(header.renderXML(), count: 5)
            var out = head + "  <\(settings.ns)configuration\n"
            for line in lines { out += "    \(line.key)=\"\(HTMLEscape.attribute(line.value))\"\n" }
            return out + "  />\n" + result
        case .html:
            return StatusHTML(page: page, query: query, command: .dump, uri: uri, readOnly: isReadOnly,
                              nonce: StatusNonce.value(registry), dump: lines).render()
        }
    }

    /// `text` split before its last `count` lines.
    static func splitLastLines(_ text: String, count: Int) -> (String, String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let cut = max(lines.count - count, 0)
        let head = lines[..<cut].map { $0 + "\n" }.joined()
        let tail = lines[cut...].map { $0 + "\n" }.joined()
        return (head, tail)
    }
}

