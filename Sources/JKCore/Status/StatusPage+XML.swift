extension StatusPage {
    /// `mime=xml`: mod_jk's elements and attributes, one attribute per line, with the `ns`,
    /// `xmlns` and `doctype` attributes of the status worker. Unlike mod_jk, attribute values are
    /// escaped (`&`, `<`, `>`, `"`), so a value can never break the document; values without
    /// those characters are printed exactly as mod_jk prints them.
    public func renderXML() -> String {
        let ns = settings.ns
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
        if let doctype = settings.doctype, !doctype.isEmpty { out += doctype + "\n" }
        out += "<\(ns)status"
        if !settings.xmlns.isEmpty { out += "\n  " + settings.xmlns }
        out += ">\n"
        func element(_ name: String, _ fields: [StatusField], indent: Int, open: Bool = false) {
            let pad = String(repeating: " ", count: indent)
            out += pad + "<" + ns + name + "\n"
            for field in fields {
                out += pad + "  " + field.key + "=\"" + HTMLEscape.attribute(field.value) + "\"\n"
            }
            out += pad + (open ? ">\n" : "/>\n")
        }
        let now = snapshot.now
        if showsHeader { element("server", StatusFields.server(name: serverName, port: serverPort), indent: 0) }
        if showsHeader && scope != .serverOnly {
            element("time", StatusFields.time(now), indent: 0)
            element("software", StatusFields.software(webServer: webServer, jkVersion: jkVersion), indent: 0)
        }
        let balancers = shownBalancers
        if showsCounts { element("balancers", [StatusField("count", balancers.count)], indent: 0, open: true) }
        for (lb, members) in balancers {
            element("balancer", [StatusField("name", lb.name)] + StatusFields.balancer(lb, now: now), indent: 2,
                    open: true)
            for member in members {
                element("member", StatusFields.memberObject(member, now: now, xmlOrder: true), indent: 6)
            }
            for (index, entry) in lb.maps.enumerated() {
                element("map", [StatusField("id", index + 1)] + StatusFields.map(entry), indent: 6)
            }
            out += "  </\(ns)balancer>\n"
        }
        if showsCounts { out += "</\(ns)balancers>\n" }
        let workers = shownAJPWorkers
        if showsCounts { element("ajp_workers", [StatusField("count", workers.count)], indent: 0, open: true) }
        for worker in workers {
            // mod_jk closes the ajp element before its map entries.
            element("ajp", StatusFields.ajpObject(worker, now: now, xmlOrder: true), indent: 2)
            for (index, entry) in worker.maps.enumerated() {
                element("map", [StatusField("id", index + 1)] + StatusFields.map(entry), indent: 6)
            }
        }
        if showsCounts { out += "</\(ns)ajp_workers>\n" }
        element("result", [StatusField("type", resultType), StatusField("message", resultMessage)], indent: 2)
        out += "</\(ns)status>\n"
        return out
    }
}

/// Escaping for HTML text and attribute values (also used for XML attributes).
public enum HTMLEscape {
    /// `&`, `<`, `>`, `"` and `'` replaced by entities.
    public static func attribute(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text content: the same escaping.
    public static func text(_ text: String) -> String { attribute(text) }
}
