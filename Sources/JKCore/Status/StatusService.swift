import CJKCore

/// Serves a request mapped to a `status` worker (jkstatus): parses the query, checks access,
/// runs the command and answers in the requested format (status-worker.md §1).
///
/// Compatible with mod_jk 1.2.48 where scripts depend on it: any method, parameters from the
/// query string, HTTP 200 with `Result: type=ERROR` for command errors, the same messages. Safer
/// where that breaks nothing: a change that a browser made on behalf of another site is refused
/// with 403; the HTML page's forms use POST with a nonce; every value in HTML is escaped.
enum StatusService {
    static func serve(_ settings: StatusWorkerSettings, registry: Registry, worker: Int, request: sjk_request_t,
                      io: HostIO, outcome: sjk_outcome_t) -> sjk_outcome_t {
        var outcome = outcome
        let name = registry.configuration.workers[worker].name
        var query = StatusQuery(request.query.string)
        let isFormPost = request.method.string == "POST" && headerValue(request, "Content-Type").map {
            $0.lowercased().hasPrefix("application/x-www-form-urlencoded")
        } == true
        if isFormPost {
            guard let body = readForm(io) else {
                outcome.status = 400
                outcome.client_error = 1
                return outcome
            }
            query = StatusQuery(merging: body, over: query)
        }
        var context = StatusCommandContext(
            settings: settings, registry: registry, statusName: name, query: query,
            remoteUser: request.remote_user.string, uri: request.uri.string ?? "/",
            crossSite: crossSiteReason(request),
            nonceValid: !isFormPost || !fromBrowser(request) || StatusNonce.matches(query["nonce"], registry: registry),
            log: { level, message in io.log(level, message) })
        context.method = request.method.string ?? "GET"
        let response = context.run(serverName: request.server_name.string ?? "",
                                   serverPort: Int(request.server_port),
                                   webServer: request.server_software.string ?? "Apache")
        var headers = [("Content-Type", response.contentType), ("Cache-Control", "no-cache"), ("Pragma", "no-cache")]
        if response.contentType.hasPrefix("text/html") {
            headers.append(("Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; connect-src 'self'; "
                            + "style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
                            + "base-uri 'none'"))
            headers.append(("X-Content-Type-Options", "nosniff"))
            headers.append(("Referrer-Policy", "same-origin"))
        }
        if let allow = response.allow { headers.append(("Allow", allow)) }
        outcome.status = Int32(response.status)
        guard io.respond(status: response.status, headers: headers, body: response.body) else {
            outcome.client_error = 1
            return outcome
        }
        outcome.response_started = 1
        return outcome
    }

    /// A form body (at most 64 KiB); nil on a read error or when larger.
    private static func readForm(_ io: HostIO) -> String? {
        let capacity = 65536
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity + 1, alignment: 1)
        defer { buffer.deallocate() }
        guard let count = io.readBodyFully(into: buffer), count <= capacity else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
    }

    /// Why the request looks like one a browser sent on behalf of another site, or nil: a
    /// `Sec-Fetch-Site: cross-site`, or an `Origin`/`Referer` whose host is not the request's.
    /// Scripts send none of these headers and pass.
    static func crossSiteReason(_ request: sjk_request_t) -> String? {
        if let site = headerValue(request, "Sec-Fetch-Site")?.lowercased(), site == "cross-site" {
            return "Sec-Fetch-Site: cross-site"
        }
        let host = (headerValue(request, "Host") ?? request.server_name.string ?? "").lowercased()
        for header in ["Origin", "Referer"] {
            guard let value = headerValue(request, header) else { continue }
            if value == "null" { return "\(header): null" }
            guard let origin = authority(of: value) else { return "\(header): \(value)" }
            if origin.lowercased() != host { return "\(header) names \(origin), not \(host)" }
        }
        return nil
    }

    /// True when a browser sent the request (it names its page or fetch mode); a form post from a
    /// browser must carry the page's nonce, a script's (curl -d) need not.
    static func fromBrowser(_ request: sjk_request_t) -> Bool {
        ["Origin", "Referer", "Sec-Fetch-Site", "Sec-Fetch-Mode"].contains { headerValue(request, $0) != nil }
    }

    /// The `host[:port]` of an absolute URL, or nil when it has none.
    static func authority(of url: String) -> String? {
        let bytes = Array(url.utf8)
        var start: Int?
        if bytes.count >= 3 {
            for index in 0...(bytes.count - 3)
            where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/")
                && bytes[index + 2] == UInt8(ascii: "/") {
                start = index + 3
                break
            }
        }
        guard let start else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"),
              bytes[end] != UInt8(ascii: "#") {
            end += 1
        }
        var authority = bytes[start..<end]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        return authority.isEmpty ? nil : String(decoding: authority, as: UTF8.self)
    }

    /// The first request header named `name` (ignoring case).
    static func headerValue(_ request: sjk_request_t, _ name: String) -> String? {
        guard let headers = request.headers else { return nil }
        let wanted = name.lowercased()
        for index in 0..<request.header_count {
            let pair = headers[index]
            if pair.name.string?.lowercased() == wanted { return pair.value.string }
        }
        return nil
    }
}

extension StatusQuery {
    /// `query`'s parameters with `form`'s (a urlencoded body) taking precedence.
    init(merging form: String, over query: StatusQuery) {
        var merged = query.parameters
        for (key, value) in StatusQuery(form).parameters { merged[key] = value }
        self.init(parameters: merged)
    }
}

extension HostIO {
    /// Sends a whole response: status, headers and body.
    func respond(status: Int, headers: [(String, String)], body: String) -> Bool {
        var storage: [UInt8] = []
        var ranges: [(Range<Int>, Range<Int>)] = []
        for (name, value) in headers {
            let nameStart = storage.count
            storage += name.utf8
            let valueStart = storage.count
            storage += value.utf8
            ranges.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        let started = storage.withUnsafeBytes { bytes -> Bool in
            var pairs: [sjk_pair_t] = []
            for (name, value) in ranges {
                pairs.append(sjk_pair_t(name: sjk_str_t(UnsafeRawBufferPointer(rebasing: bytes[name])),
                                        value: sjk_str_t(UnsafeRawBufferPointer(rebasing: bytes[value]))))
            }
            return pairs.withUnsafeBufferPointer { list in startResponse(status: status, pairs: list) }
        }
        guard started else { return false }
        var text = body
        return text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }
}
