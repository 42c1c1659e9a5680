import CJKCore

/// The status worker's own API beyond mod_jk: `mime=prometheus` (metrics) and `mime=json` (state
/// and changes with real HTTP status codes). Documented in docs/OPERATIONS.md.
extension StatusCommandContext {
    /// `mime=prometheus`: the metrics of every worker, from shared memory.
    func runPrometheus(serverName: String, serverPort: Int, webServer: String) -> StatusResponse {
        let type = "text/plain; version=0.0.4; charset=utf-8"
        guard userAllowed else { return StatusResponse(status: 403, contentType: type, body: "# access denied\n") }
        let rating = StatusRating(good: settings.good, bad: settings.bad)
        var page = StatusPage(serverName: serverName, serverPort: serverPort, webServer: webServer,
                              snapshot: StatusSnapshot.collect(registry, rating: rating, now: now), scope: .all,
                              settings: settings)
        page.snapshot.now = now
        return StatusResponse(status: 200, contentType: type, body: page.renderPrometheus(rating: rating))
    }

    /// `mime=json`: GET `cmd=list` / `cmd=show&w=…[&sw=…]` for the state; POST `cmd=update` (with
    /// mod_jk's `v*` keys, or `state=ready|drain|maint` and `weight=N` for members), `cmd=reset`,
    /// `cmd=recover` for changes, each answered with the worker's new state.
    ///
    /// Status codes: 400 bad request (unknown command, missing `w`), 403 (read-only, user, another
    /// site, expired form), 404 (unknown worker or member), 405 (a change by GET), 409 (recover of a
    /// member not in error), 422 (invalid values; nothing is changed).
    func runJSON(serverName: String, serverPort: Int, webServer: String) -> StatusResponse {
        let rating = StatusRating(good: settings.good, bad: settings.bad)
        var page = StatusPage(serverName: serverName, serverPort: serverPort, webServer: webServer,
                              snapshot: StatusSnapshot(), scope: .all, settings: settings)
        page.snapshot.now = now
        page.snapshot.configLoadedAt = registry.loadedAt
        let quiet = query.integer("quiet").map { max($0, 0) } ?? StatusDrain.defaultQuietSeconds
        func answer(_ status: Int, _ message: String? = nil, allow: String? = nil) -> StatusResponse {
            if let message {
                page.resultType = "ERROR"
                page.resultMessage = message
                log(Int(SJK_LOG_WARNING), "Status worker '\(statusName)': \(message)")
            }
            switch page.scope {
            case .all, .worker: page.snapshot = StatusSnapshot.collect(registry, rating: rating, now: now)
            default: break
            }
            return StatusResponse(status: status, contentType: "application/json",
                                  body: page.renderJSON(quietSeconds: quiet), allow: allow)
        }
        var shortcut = query
        if let state = query["state"] {
            guard let activation = MemberActivation(operatorName: state) else {
                page.scope = .resultOnly
                return answer(422, "state=\(state): must be ready, drain or maint")
            }
            shortcut = StatusQuery(merging: "vwa=\(activation.slotValue)", over: shortcut)
        }
        if let weight = query["weight"] { shortcut = StatusQuery(merging: "vwf=\(weight)", over: shortcut) }
        if let vwa = shortcut["vwa"], let activation = MemberActivation(operatorName: vwa) {
            shortcut = StatusQuery(merging: "vwa=\(activation.slotValue)", over: shortcut)
        }
        let changing = query["state"] != nil || query["weight"] != nil
        guard let command = changing ? .update : StatusCommand(rawValue: query["cmd"] ?? "list") else {
            page.scope = .resultOnly
            return answer(400, "Invalid command.")
        }
        guard userAllowed else {
            page.scope = .resultOnly
            return answer(403, "Access denied.")
        }
        if command == .edit {
            page.scope = .resultOnly
            return answer(400, "cmd=edit is the HTML form; change with POST cmd=update")
        }
        if !command.isReadOnly {
            page.scope = .resultOnly
            guard method == "POST" else { return answer(405, "Changes need POST.", allow: "POST") }
            guard !isReadOnly else { return answer(403, "This command is not allowed in read only mode.") }
            if let crossSite { return answer(403, "Refused a change requested on behalf of another site (\(crossSite)).") }
            guard nonceValid else { return answer(403, "The form has expired; reload the page and try again.") }
        }
        guard command.needsWorker else {
            page.scope = command == .list ? .all : .headerOnly
            return answer(200)
        }
        let target: StatusTarget
        switch resolveTarget(command) {
        case .failure(let message):
            page.scope = .resultOnly
            let missing = message.hasPrefix("NULL") || message.hasPrefix("EMPTY") || message.hasPrefix("wildcard")
                || message.hasPrefix("worker type")
            return answer(missing ? 400 : 404, message)
        case .success(let resolved):
            target = resolved
        }
        // The new state of what was addressed.
        page.scope = .worker(name: target.name, member: target.members.count == 1 ? target.memberNames.first : nil)
        let editor = makeEditor()
        switch command {
        case .update:
            let kind: StatusValidation.Target
            switch target.runtime {
            case .loadBalancer: kind = target.members.isEmpty && query["att"] == nil ? .balancer : .members
            case .ajp: kind = .worker
            case .status, .unsupported: return answer(404, "Could not find given worker")
            }
            var memberCount = 0
            if case .loadBalancer(let lb) = target.runtime { memberCount = lb.memberNames.count }
            let problems = StatusValidation.problems(shortcut, target: kind, memberCount: memberCount)
            guard problems.isEmpty else { return answer(422, problems.joined(separator: "; ")) }
            switch target.runtime {
            case .loadBalancer(let lb):
                if let attribute = shortcut["att"] {
                    _ = editor.updateMembers(lb, members: Array(lb.topology.members.indices), query: shortcut,
                                             attribute: attribute)
                } else if target.members.isEmpty {
                    _ = editor.updateBalancer(lb, query: shortcut)
                } else {
                    _ = editor.updateMembers(lb, members: target.members, query: shortcut)
                }
            case .ajp(let endpoint):
                _ = editor.updateWorker(endpoint, worker: target.index, query: shortcut)
            case .status, .unsupported:
                break
            }
            registry.refreshIfChanged()
            persist()
        case .reset:
            switch target.runtime {
            case .loadBalancer(let lb): editor.reset(lb, member: target.members.first)
            case .ajp: editor.reset(worker: target.index, name: target.name)
            case .status, .unsupported: break
            }
        case .recover:
            guard case .loadBalancer(let lb) = target.runtime, let member = target.members.first else {
                return answer(400, "recover needs w=<lb>&sw=<member>")
            }
            do { try editor.recover(lb, member: member) } catch { return answer(409, "\(error.message): the member is not in error") }
        case .list, .show, .version, .dump, .edit:
            break
        }
        return answer(200)
    }
}
