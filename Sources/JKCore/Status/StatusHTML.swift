/// The status worker's HTML page (`mime=html`): the information and actions of mod_jk's page,
/// as valid HTML5 that loads nothing from outside the server, escapes every value it prints and
/// changes state only through POST forms that carry the configuration's nonce.
struct StatusHTML {
    let page: StatusPage
    let query: StatusQuery
    let command: StatusCommand
    let uri: String
    let readOnly: Bool
    let nonce: String
    var dump: [(key: String, value: String)] = []

    /// The quiet time of drains shown on the page (`quiet=` of the page's URL).
    var quietSeconds: Int { query.integer("quiet").map { max($0, 0) } ?? StatusDrain.defaultQuietSeconds }

    private func e(_ text: String) -> String { HTMLEscape.text(text) }
    private func e<N: BinaryInteger>(_ number: N) -> String { String(number) }

    /// A same-page link with `parameters`; the read-only flag and refresh stay as they are.
    private func link(_ parameters: [(String, String)]) -> String {
        var all = parameters
        if let opt = query["opt"] { all.append(("opt", opt)) }
        let text = all.map { "\(Self.percent($0.0))=\(Self.percent($0.1))" }.joined(separator: "&amp;")
        return e(uri) + (text.isEmpty ? "" : "?" + text)
    }

    static func percent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "*"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
            }
        }
        return out
    }

    /// A POST form button that runs `parameters` (a change), with the nonce.
    private func action(_ label: String, title: String, _ parameters: [(String, String)]) -> String {
        guard !readOnly else { return "" }
        var out = "<form class=\"inline\" method=\"post\" action=\"\(e(uri))\">"
        for (name, value) in parameters + [("nonce", nonce)] {
            out += "<input type=\"hidden\" name=\"\(e(name))\" value=\"\(e(value))\">"
        }
        return out + "<button type=\"submit\" title=\"\(e(title))\">\(e(label))</button></form>"
    }

    func render() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<title>JK Status Manager</title>\n"
        if let refresh = query.integer("re"), refresh > 0, command == .list || command == .show {
            out += "<meta http-equiv=\"refresh\" content=\"\(refresh)\">\n"
        }
        if command == .update || command == .reset || command == .recover, page.resultType == "OK" {
            out += "<meta http-equiv=\"refresh\" content=\"3;url=\(link(backParameters()))\">\n"
        }
        if let css = page.settings.css, !css.isEmpty {
            out += "<link rel=\"stylesheet\" href=\"\(e(css))\">\n"
        }
        out += "<style>\(Self.style)</style>\n"
        out += "<script src=\"\(e(uri))?mime=js\" defer></script>\n</head>\n"
        out += "<body data-status-url=\"\(e(uri))\" data-quiet=\"\(quietSeconds)\">\n"
        out += "<h1>JK Status Manager for \(e(page.serverName)):\(e(page.serverPort))</h1>\n"
        out += header()
        if page.resultType != "OK" || command == .update || command == .reset || command == .recover {
            let cls = page.resultType == "OK" ? "ok" : "error"
            out += "<p class=\"result \(cls)\" role=\"status\">Result: \(e(page.resultType)) — \(e(page.resultMessage))</p>\n"
        }
        switch command {
        case .dump:
            out += "<h2>Configuration</h2>\n<pre>"
            for line in dump { out += e(line.key) + "=" + e(line.value) + "\n" }
            out += "</pre>\n"
        case .edit where page.resultType == "OK":
            out += editForms()
        default:
            out += workers()
            out += runtimeChanges()
        }
        out += legend()
        out += "</body>\n</html>\n"
        return out
    }

    private func backParameters() -> [(String, String)] {
        var parameters: [(String, String)] = [("cmd", query["from"] == "show" ? "show" : "list")]
        if query["from"] == "show", let worker = query["w"] { parameters.append(("w", worker)) }
        return parameters
    }

    private func header() -> String {
        var out = "<table class=\"facts\"><tr><th>Server Version:</th><td>\(e(page.webServer))</td></tr>"
        out += "<tr><th>JK Version:</th><td>\(e(page.jkVersion))</td></tr>"
        out += "<tr><th>Server Time:</th><td>\(e(StatusFields.formatTime(page.snapshot.now, "%Y-%m-%d %H:%M:%S %z")))</td></tr>"
        out += "</table>\n<nav><a href=\"\(link([("cmd", "list")]))\">List</a> "
        if page.settings.readOnly {
            out += "<span>Read Only</span> "
        } else if readOnly {
            out += "<a href=\"\(e(uri))?cmd=list\">Read/Write</a> "
        } else {
            out += "<a href=\"\(e(uri))?cmd=list&amp;opt=32\">Read Only</a> "
        }
        out += "<a href=\"\(link([("cmd", "dump")]))\">Dump</a> "
        out += "<a href=\"\(link([("cmd", "list"), ("re", "10")]))\">Refresh every 10 s</a> "
        out += "<a href=\"\(link([("cmd", command == .show ? "show" : "list"), ("mime", "xml")] + workerParameter()))\">XML</a> "
        out += "<a href=\"\(link([("cmd", command == .show ? "show" : "list"), ("mime", "prop")] + workerParameter()))\">Properties</a> "
        out += "<a href=\"\(link([("cmd", command == .show ? "show" : "list"), ("mime", "txt")] + workerParameter()))\">Text</a> "
        out += "<a href=\"\(link([("mime", "json")]))\">JSON</a> "
        out += "<a href=\"\(link([("mime", "prometheus")]))\">Metrics</a> "
        out += "<span id=\"sjk-live\" class=\"live\">live updates start in a moment</span>"
        out += "</nav>\n"
        return out
    }

    private func workerParameter() -> [(String, String)] {
        command == .show ? (query["w"].map { [("w", $0)] } ?? []) : []
    }

    private func workers() -> String {
        var out = ""
        let opt = query.integer("opt") ?? 0
        if opt & 0x8 == 0 {
            for (lb, members) in page.shownBalancers { out += balancer(lb, members: members, opt: opt) }
        }
        if opt & 0x10 == 0 {
            for worker in page.shownAJPWorkers { out += ajpWorker(worker, opt: opt) }
        }
        return out
    }

    private func cells(_ values: [String], header: Bool = false) -> String {
        let tag = header ? "th" : "td"
        return "<tr>" + values.map { "<\(tag)>\($0)</\(tag)>" }.joined() + "</tr>"
    }

    private func balancer(_ lb: StatusSnapshot.Balancer, members: [StatusSnapshot.Member], opt: Int) -> String {
        let now = page.snapshot.now
        var out = "<section class=\"worker\"><h2>Worker Status for \(e(lb.name))</h2>\n<div class=\"actions\">"
        out += "<a href=\"\(link([("cmd", "show"), ("w", lb.name)]))\" title=\"Show only this worker\">S</a> "
        if !readOnly { out += "<a href=\"\(link([("cmd", "edit"), ("w", lb.name)]))\" title=\"Edit this worker\">E</a> " }
        out += action("R", title: "Reset worker statistics", [("cmd", "reset"), ("w", lb.name)])
        out += "</div>\n"
        let s = lb.settings
        if opt & 0x40 == 0 {
            out += "<table>" + cells(["Type", "Sticky Sessions", "Force Sticky Sessions", "Retries", "LB Method", "Locking",
                                      "Recover Wait Time", "Error Escalation Time", "Max Reply Timeouts"], header: true)
            out += cells(["lb", s.stickySession ? "True" : "False", s.stickySessionForce ? "True" : "False",
                          e(s.retries), e(s.method.statusName), s.lock == .pessimistic ? "Pessimistic" : "Optimistic",
                          e(s.recoverTime), e(s.errorEscalationTime), e(s.maxReplyTimeouts)]) + "</table>\n"
        }
        if opt & 0x80 == 0 {
            out += "<table>" + cells(["Good", "Degraded", "Bad/Stopped", "Busy", "Max Busy", "Next Maintenance",
                                      "Last Reset"], header: true)
            out += cells([e(lb.good), e(lb.degraded), e(lb.bad), e(lb.busy), e(lb.maxBusy),
                          "\(lb.timeToMaintenance.min)/\(lb.timeToMaintenance.max)",
                          e(now.subtractingClamped(lb.lastReset))]) + "</table>\n"
        }
        if opt & 0x1 == 0 {
            if opt & 0x100 == 0 {
                out += "<h3>Balancer Members</h3>\n<table>" + cells(
                    ["Name", "Type", "Hostname", "Address:Port", "Source", "Connection Pool Timeout", "Connect Timeout",
                     "Prepost Timeout", "Reply Timeout", "Retries", "Recovery Options", "Busy Limit", "Max Packet Size"],
                    header: true)
                for m in members {
                    let c = m.config
                    out += cells([e(m.name), "ajp13", e(c.host) + ":" + e(c.port), e(c.address), e(c.source),
                                  e(c.connectionPoolTimeout), e(c.connectTimeout), e(c.prepostTimeout), e(c.replyTimeout),
                                  e(c.retries), e(c.recoveryOptions), e(c.busyLimit), e(c.maxPacketSize)])
                }
                out += "</table>\n"
            }
            out += "<table class=\"members\">" + cells(
                ["", "Name", "Act", "State", "Drain", "D", "F", "Weight", "M", "V", "Acc", "Req/s", "Sess", "Err", "Err/s",
                 "CE", "RE", "Wr", "Rd", "Busy", "MaxBusy", "Con", "MaxCon", "Route", "RR", "Cd", "Rs", "LR", "LE"],
                header: true)
            for m in members {
                var actions = "<a href=\"\(link([("cmd", "show"), ("w", lb.name), ("sw", m.name)]))\" title=\"Show\">S</a> "
                if !readOnly {
                    actions += "<a href=\"\(link([("cmd", "edit"), ("w", lb.name), ("sw", m.name)]))\" title=\"Edit\">E</a> "
                }
                actions += action("R", title: "Reset member statistics", [("cmd", "reset"), ("w", lb.name), ("sw", m.name)])
                if m.state == .error {
                    actions += action("T", title: "Try recovery", [("cmd", "recover"), ("w", lb.name), ("sw", m.name)])
                }
                actions += quickActivation(lb: lb.name, member: m)
                let c = m.counters
                let stateClass = m.state == .error ? "bad" : (m.activation == .active ? "good" : "degraded")
                let drain = StatusDrain.progress(m, now: now, quietSeconds: quietSeconds)
                let drainText = drain.draining ? (drain.done ? "drain done" : "draining") : ""
                let weight = StatusDrain.weightPercent(m, in: lb)
                // data-field names the cells the page's script updates from mime=json.
                let fields: [(String?, String)] = [
                    (nil, e(m.name)), ("activation", e(String(describing: m.activation.attributeText))),
                    ("state", e(m.state.description)), ("drain", drainText), (nil, e(m.distance)),
                    ("lbfactor", e(m.lbfactor)), ("weight", "\(Int(weight.rounded())) %"), (nil, e(m.lbmult)),
                    (nil, e(m.lbvalue)), ("requests", e(c.used)), ("rate", "–"), ("sessions", e(m.sessions)),
                    ("member_errors", e(m.errors)), ("error_rate", "–"), (nil, e(c.clientErrors)),
                    (nil, e(c.replyTimeouts)), (nil, Self.size(c.transferred)), (nil, Self.size(c.read)),
                    ("busy", e(c.busy)), (nil, e(c.maxBusy)), ("connections_open", e(c.connected)),
                    (nil, e(c.maxConnected)), (nil, e(m.route)), (nil, e(m.redirect)), (nil, e(m.domain)),
                    (nil, "\(m.timeToRecover.min)/\(m.timeToRecover.max)"), (nil, e(now.subtractingClamped(c.lastReset))),
                    (nil, m.errorTime > 0 ? e(StatusFields.formatTime(m.errorTime, "%Y-%m-%d %H:%M:%S %z")) : ""),
                ]
                out += "<tr class=\"\(stateClass)\" data-member=\"\(e(lb.name))/\(e(m.name))\"><td>\(actions)</td>"
                    + fields.map { field, value in
                        "<td" + (field.map { " data-field=\"\($0)\"" } ?? "") + ">\(value)</td>"
                    }.joined() + "</tr>"
            }
            out += "</table>\n"
        }
        if opt & 0x2 == 0 { out += maps(lb.maps) }
        if !readOnly {
            out += "<form method=\"get\" action=\"\(e(uri))\" class=\"att\"><input type=\"hidden\" name=\"cmd\" value=\"edit\">"
            out += "<input type=\"hidden\" name=\"w\" value=\"\(e(lb.name))\">"
            out += "<label>Edit this attribute for all members: <select name=\"att\">"
            for (key, label) in Self.attributes { out += "<option value=\"\(key)\">\(e(label))</option>" }
            out += "</select></label> <button type=\"submit\">Edit</button></form>\n"
        }
        return out + "</section>\n"
    }

    /// One-click activation buttons (the operator's most common change).
    private func quickActivation(lb: String, member: StatusSnapshot.Member) -> String {
        var out = ""
        for (value, code, label) in [("0", "ACT", "Ready"), ("1", "DIS", "Drain"), ("2", "STP", "Maint")]
            where code != String(describing: member.activation.attributeText) {
            out += action(label, title: "Set activation to \(code)",
                          [("cmd", "update"), ("from", "list"), ("w", lb), ("sw", member.name), ("vwa", value)])
        }
        return out
    }

    private func ajpWorker(_ worker: StatusSnapshot.AJPWorker, opt: Int) -> String {
        let now = page.snapshot.now
        let c = worker.config
        var out = "<section class=\"worker\"><h2>Worker Status for \(e(worker.name))</h2>\n<div class=\"actions\">"
        out += "<a href=\"\(link([("cmd", "show"), ("w", worker.name)]))\" title=\"Show only this worker\">S</a> "
        if !readOnly { out += "<a href=\"\(link([("cmd", "edit"), ("w", worker.name)]))\" title=\"Edit this worker\">E</a> " }
        out += action("R", title: "Reset worker statistics", [("cmd", "reset"), ("w", worker.name)]) + "</div>\n"
        out += "<table>" + cells(["Type", "Hostname", "Address:Port", "Source", "Connection Pool Timeout",
                                  "Connect Timeout", "Prepost Timeout", "Reply Timeout", "Retries", "Recovery Options",
                                  "Busy Limit", "Max Packet Size"], header: true)
        out += cells(["ajp13", e(c.host) + ":" + e(c.port), e(c.address), e(c.source), e(c.connectionPoolTimeout),
                      e(c.connectTimeout), e(c.prepostTimeout), e(c.replyTimeout), e(c.retries), e(c.recoveryOptions),
                      e(c.busyLimit), e(c.maxPacketSize)]) + "</table>\n"
        let k = worker.counters
        out += "<table>" + cells(["Acc", "Err", "CE", "RE", "Wr", "Rd", "Busy", "MaxBusy", "Con", "MaxCon", "LR", "LE"],
                                 header: true)
        out += cells([e(k.used), e(k.errors), e(k.clientErrors), e(k.replyTimeouts), Self.size(k.transferred),
                      Self.size(k.read), e(k.busy), e(k.maxBusy), e(k.connected), e(k.maxConnected),
                      e(now.subtractingClamped(k.lastReset)),
                      worker.errorTime > 0 ? e(StatusFields.formatTime(worker.errorTime, "%Y-%m-%d %H:%M:%S %z")) : ""])
        out += "</table>\n"
        if opt & 0x2 == 0 { out += maps(worker.maps) }
        return out + "</section>\n"
    }

    private func maps(_ entries: [StatusSnapshot.MapEntry]) -> String {
        guard !entries.isEmpty else { return "" }
        var out = "<h3>URI Mappings</h3>\n<table>" + cells(["Match Type", "Mapping Source", "URI", "Server"], header: true)
        for entry in entries { out += cells([e(entry.type), e(entry.source), e(entry.uri), e(entry.server)]) }
        return out + "</table>\n"
    }

    private func editForms() -> String {
        guard let workerName = query["w"] else { return "" }
        var out = "<section class=\"edit\">"
        var fields: [(key: String, label: String, value: String)] = []
        var hidden: [(String, String)] = [("cmd", "update"), ("from", "list"), ("w", workerName)]
        if let (lb, members) = page.shownBalancers.first {
            if let attribute = query["att"] {
                out += "<h2>Edit attribute \(e(attribute)) of every member of \(e(lb.name))</h2>"
                hidden.append(("att", attribute))
                for member in lb.members {
                    fields.append(("val\(member.index)", member.name, Self.value(of: attribute, member: member)))
                }
            } else if query["sw"] != nil, let member = members.first {
                out += "<h2>Edit member \(e(member.name)) of \(e(lb.name))</h2>"
                hidden.append(("sw", member.name))
                fields += [("vwa", "Activation (ACT, DIS, STP)", String(describing: member.activation.attributeText)),
                           ("vwf", "LB Factor", String(member.lbfactor)), ("vwn", "Route", member.route),
                           ("vwr", "Redirect Route", member.redirect), ("vwc", "Cluster Domain", member.domain),
                           ("vwd", "Distance", String(member.distance))]
                fields += Self.ajpFields(member.config)
            } else {
                out += "<h2>Edit load balancer \(e(lb.name))</h2>"
                let s = lb.settings
                fields += [("vlr", "Retries", String(s.retries)), ("vlri", "Retry Interval", String(s.retryInterval)),
                           ("vlt", "Recover Wait Time", String(s.recoverTime)),
                           ("vlee", "Error Escalation Time", String(s.errorEscalationTime)),
                           ("vlx", "Max Reply Timeouts", String(s.maxReplyTimeouts)),
                           ("vls", "Sticky Sessions (on, off)", s.stickySession ? "on" : "off"),
                           ("vlf", "Force Sticky Sessions (on, off)", s.stickySessionForce ? "on" : "off"),
                           ("vlm", "LB Method (Request, Traffic, Busyness, Sessions, Next)", s.method.statusName),
                           ("vll", "Locking (Optimistic, Pessimistic)", s.lock == .pessimistic ? "Pessimistic" : "Optimistic")]
            }
        } else if let worker = page.shownAJPWorkers.first {
            out += "<h2>Edit worker \(e(worker.name))</h2>"
            fields += Self.ajpFields(worker.config)
        }
        out += "<form method=\"post\" action=\"\(e(uri))\">"
        for (name, value) in hidden + [("nonce", nonce)] {
            out += "<input type=\"hidden\" name=\"\(e(name))\" value=\"\(e(value))\">"
        }
        out += "<table>"
        for field in fields {
            out += "<tr><th><label for=\"\(e(field.key))\">\(e(field.label))</label></th>"
            out += "<td><input id=\"\(e(field.key))\" name=\"\(e(field.key))\" value=\"\(e(field.value))\"></td></tr>"
        }
        out += "</table><button type=\"submit\">Update</button></form></section>\n"
        return out
    }

    static func ajpFields(_ c: StatusSnapshot.AJPConfig) -> [(key: String, label: String, value: String)] {
        [("vahst", "Hostname", c.host), ("vaprt", "Port", String(c.port)),
         ("vacpt", "Connection Pool Timeout", String(c.connectionPoolTimeout)),
         ("vapng", "Ping Timeout", String(c.pingTimeout)), ("vact", "Connect Timeout", String(c.connectTimeout)),
         ("vapt", "Prepost Timeout", String(c.prepostTimeout)), ("vart", "Reply Timeout", String(c.replyTimeout)),
         ("var", "Retries", String(c.retries)), ("vacpi", "Connection Ping Interval", String(c.connectionPingInterval)),
         ("varo", "Recovery Options", String(c.recoveryOptions)), ("vabl", "Busy Limit", String(c.busyLimit)),
         ("vamps", "Max Packet Size", String(c.maxPacketSize))]
    }

    static func value(of attribute: String, member m: StatusSnapshot.Member) -> String {
        switch attribute {
        case "vwa": String(describing: m.activation.attributeText)
        case "vwf": String(m.lbfactor)
        case "vwn": m.route
        case "vwr": m.redirect
        case "vwc": m.domain
        case "vwd": String(m.distance)
        default: ajpFields(m.config).first { $0.key == attribute }?.value ?? ""
        }
    }

    static let attributes: [(String, String)] = [
        ("vwa", "Activation"), ("vwf", "LB Factor"), ("vwn", "Route"), ("vwr", "Redirect Route"),
        ("vwc", "Cluster Domain"), ("vwd", "Distance"), ("vacpt", "Connection Pool Timeout"), ("vapng", "Ping Timeout"),
        ("vact", "Connect Timeout"), ("vapt", "Prepost Timeout"), ("vart", "Reply Timeout"), ("var", "Retries"),
        ("vari", "Retry Interval"), ("vacpi", "Connection Ping Interval"), ("varo", "Recovery Options"),
        ("vabl", "Busy Limit"), ("vamps", "Max Packet Size"),
    ]

    /// The settings whose runtime value differs from workers.properties.
    private func runtimeChanges() -> String {
        let changes = page.snapshot.runtimeChanges
        guard !changes.isEmpty else { return "" }
        var out = "<section class=\"changes\"><h2>Runtime changes (differ from workers.properties)</h2>\n<table>"
        out += cells(["Worker", "Setting", "workers.properties", "In force"], header: true)
        for change in changes {
            out += cells([e(change.entity), e(change.field), e(change.configured), e(change.runtime)])
        }
        return out + "</table></section>\n"
    }

    private func legend() -> String {
        guard (query.integer("opt") ?? 0) & 0x4 == 0, command == .list || command == .show else { return "" }
        return """
        <details class="legend"><summary>Legend</summary><dl>
        <dt>Act</dt><dd>Activation: ACT active, DIS disabled (sticky requests only), STP stopped (no requests)</dd>
        <dt>State</dt><dd>OK, OK/IDLE, OK/BUSY, ERR, ERR/REC (marked for recovery), ERR/PRB (probing), ERR/FRC (forced)</dd>
        <dt>D / F / M / V</dt><dd>Distance, load factor, multiplicity, load value</dd>
        <dt>Acc / Sess / Err / CE / RE</dt><dd>Requests, sessions created, errors, client errors, reply timeouts (decayed)</dd>
        <dt>Wr / Rd</dt><dd>Bytes sent to / read from the backend</dd>
        <dt>Busy / Con</dt><dd>Requests in flight / open backend connections, across all httpd processes</dd>
        <dt>Route / RR / Cd</dt><dd>Route (jvmRoute), redirect route, cluster domain</dd>
        <dt>Rs / LR / LE</dt><dd>Seconds until recovery (min/max), seconds since reset, last error time</dd>
        </dl></details>

        """
    }

    /// mod_jk's APR strfsize: `0`, `123`, `1.2K`, `15K`, `1.0M`.
    static func size(_ bytes: UInt64) -> String {
        if bytes < 973 { return String(bytes) }
        var value = Double(bytes)
        for unit in ["K", "M", "G", "T", "P", "E"] {
            value /= 1024
            if value < 9.95 {
                let tenths = Int((value * 10).rounded())
                return "\(tenths / 10).\(tenths % 10)\(unit)"
            }
            if value < 973 { return "\(Int(value.rounded()))\(unit)" }
        }
        return String(bytes)
    }

    static let style = """
    body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}\
    th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;font-size:.9em}th{background:#f0f0f0}\
    tr.bad td{background:#fde2e2}tr.degraded td{background:#fff4d6}tr.good td{background:#e8f6e8}\
    form.inline{display:inline;margin:0}form.inline button{font-size:.8em;padding:0 .3em}\
    nav a,nav span{margin-right:.8em}.result.error{color:#a00;font-weight:bold}.result.ok{color:#060}\
    section.worker{border-top:2px solid #888;margin-top:1.5em}.live{color:#666;font-size:.85em}
    """
}
