import CJKCore

/// Serves one mapped request: picks the forwarded URI form, merges rule extensions with the
/// worker's settings, runs the AJP exchange and reports the outcome to the shim.
public enum RequestService {
    /// Serves `request` on the worker named by `mapping`.
    public static func serve(_ registry: Registry, mapping: sjk_mapping_t, request: sjk_request_t,
                             host: sjk_host_t) -> sjk_outcome_t {
        var outcome = sjk_outcome_t()
        outcome.worker = mapping.worker
        let io = HostIO(host)
        let worker = Int(mapping.worker)
        guard worker >= 0, worker < registry.runtimes.count else {
            outcome.status = 500
            return outcome
        }
        registry.refreshIfChanged()
        if registry.requestsMaintain {
            registry.maintenance.runIfDue(registry.endpoints)
            registry.maintainBalancersIfDue()
        }
        let extensions = ruleExtensions(registry, mapping: mapping, request: request, io: io)
        switch registry.runtimes[worker] {
        case .ajp(let endpoint):
            guard let admission = BusyAdmission(endpoint.slot, limit: endpoint.settings.busyLimit) else {
                io.log(Int(SJK_LOG_INFO), "worker \(endpoint.name) is busy (busy_limit \(endpoint.settings.busyLimit))")
                outcome.status = 503
                return outcome
            }
            var stats = ForwardStats()
            let result = forwardAJP(endpoint, request: request, extensions: extensions, io: io, stats: &stats)
            admission.release(result, stats: stats)
            return self.outcome(from: result, endpoint: endpoint, io: io, outcome: outcome)
        case .loadBalancer(let lb):
            return BalancedService.serve(lb, registry: registry, request: request, extensions: extensions, io: io,
                                         outcome: outcome)
        case .status(let status):
            return StatusService.serve(status, registry: registry, worker: worker, request: request, io: io,
                                       outcome: outcome)
        case .unsupported(let type):
            io.log(Int(SJK_LOG_ERROR), "worker \(registry.configuration.workers[worker].name) has type \(type), which "
                   + "SwiftJK does not serve (see the configtest warning); answering 503")
            outcome.status = 503
            return outcome
        }
    }

    private static func ruleExtensions(_ registry: Registry, mapping: sjk_mapping_t, request: sjk_request_t,
                                       io: HostIO) -> RuleExtensionsRef? {
        if let text = request.extension.string {
            var log = DiagnosticLog()
            let tokens = text.split(separator: ";", omittingEmptySubsequences: true)
            let parsed = RuleExtensions.parse(tokens[...], location: nil, log: &log)
            for entry in log.entries { io.log(Int(SJK_LOG_WARNING), entry.description) }
            return RuleExtensionsRef(parsed)
        }
        let server = Int(mapping.server)
        let rule = Int(mapping.rule)
        guard server >= 0, server < registry.servers.count, rule >= 0 else { return nil }
        return registry.servers[server].withCurrent { snapshot in
            rule < snapshot.extensions.count ? snapshot.extensions[rule] : nil
        }
    }

    private static func forwardAJP(_ endpoint: AJPEndpoint, request: sjk_request_t, extensions: RuleExtensionsRef?,
                                   io: HostIO, stats: inout ForwardStats) -> ForwardResult {
        let options = forwardOptions(endpoint.settings, request: request, extensions: extensions)
        let uri = ForwardedURIChoice.form(for: request)
        return withSecret(endpoint.settings.secret) { secret in
            let context = AJPForwardContext(uri: uri, secret: secret, route: nil, activation: "ACT")
            return AJPForwarder(endpoint: endpoint, host: io).forward(request, context: context, options: options,
                                                                      stats: &stats)
        }
    }

    /// The worker's settings merged with the request's overrides: reply timeout (JK_REPLY_TIMEOUT
    /// > rule extension > worker), fail_on_status, use_server_errors.
    static func forwardOptions(_ settings: AJPEndpoint.Settings, request: sjk_request_t,
                               extensions: RuleExtensionsRef?) -> ForwardOptions {
        // Fields are read through the reference: copying the whole value would retain all its lists.
        let replyTimeout = request.reply_timeout_ms >= 0 ? Int(request.reply_timeout_ms)
            : (extensions?.value.replyTimeout.map { max($0, 0) } ?? settings.replyTimeoutMs)
        return ForwardOptions(replyTimeoutMs: replyTimeout,
                              failOnStatus: extensions?.value.failOnStatus ?? settings.failOnStatus,
                              jkOptions: request.options, useServerErrors: extensions?.value.useServerErrors)
    }

    /// What the shim needs to know about a finished request.
    static func outcome(from result: ForwardResult, endpoint: AJPEndpoint, io: HostIO,
                        outcome: sjk_outcome_t) -> sjk_outcome_t {
        var outcome = outcome
        switch result {
        case .completed(let status):
            outcome.status = Int32(clamping: status)
            outcome.response_started = 1
        case .serverErrorPage(let status):
            outcome.status = Int32(clamping: status)
            outcome.use_server_error = 1
        case .failed(let failure, _):
            outcome.status = failure.httpStatus
        case .clientError(let status, let started):
            if status != 413 {
                // mod_jk's wording (jk_ajp_common.c), so log watchers keep working.
                let what = started ? "ERROR sending data to client" : "ERROR reading POST data from client"
                io.log(Int(SJK_LOG_INFO), "worker \(endpoint.name): \(what). Connection aborted or network problems; "
                       + "the client connection is closed")
            }
            outcome.status = Int32(clamping: status)
            outcome.client_error = 1
            outcome.response_started = started ? 1 : 0
        case .abortedMidResponse(let failure):
            io.log(Int(SJK_LOG_ERROR), "worker \(endpoint.name) failed after the response started: \(failure); "
                   + "the client connection is closed so the truncated response is not taken as complete")
            outcome.status = failure.httpStatus
            outcome.response_started = 1
            outcome.backend_broke = 1
        }
        return outcome
    }
}

/// The req_uri a FORWARD_REQUEST carries, chosen by JkOptions ForwardURI* (reference §3.5).
public enum ForwardedURIChoice {
    /// The form to forward for `request`; the bytes are borrowed from the request view.
    public static func form(for request: sjk_request_t) -> ForwardedURIForm {
        let uri = request.uri.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0)
        let options = request.options
        if options & UInt32(SJK_OPT_FORWARD_URI_COMPAT_UNPARSED) != 0, let unparsed = request.unparsed_uri.bytes {
            let end = unparsed.firstIndex(of: UInt8(ascii: "?")) ?? unparsed.count
            return .verbatim(UnsafeRawBufferPointer(rebasing: unparsed[0..<end]))
        }
        if options & UInt32(SJK_OPT_FORWARD_URI_COMPAT) != 0 { return .verbatim(uri) }
        if options & UInt32(SJK_OPT_FORWARD_URI_ESCAPED) != 0 { return .escaped(uri) }
        return .proxyEncoded(uri)
    }
}
