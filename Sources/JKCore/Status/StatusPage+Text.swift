extension StatusPage {
    /// `mime=txt`: one line per object, `Label: key=value ...`, strings quoted where mod_jk quotes them.
    public func renderText() -> String {
        var out = ""
        func line(_ label: String, _ fields: [StatusField]) {
            out += label + ":"
            for field in fields {
                out += " " + field.key + "=" + (field.quotedInText ? "\"" + field.value + "\"" : field.value)
            }
            out += "\n"
        }
        let now = snapshot.now
        if showsHeader { line("Server", StatusFields.server(name: serverName, port: serverPort)) }
        if showsHeader && scope != .serverOnly {
            line("Time", StatusFields.time(now))
            line("Software", StatusFields.software(webServer: webServer, jkVersion: jkVersion))
        }
        let balancers = shownBalancers
        if showsCounts { line("Balancer Workers", [StatusField("count", balancers.count)]) }
        do {
            let shown = balancers
            for (lb, members) in shown {
                line("Balancer Worker", [StatusField("name", lb.name)] + StatusFields.balancer(lb, now: now))
                for member in members {
                    line("Member", StatusFields.memberObject(member, now: now, xmlOrder: false))
                }
                for (index, entry) in lb.maps.enumerated() {
                    line("Map", [StatusField("id", index + 1)] + StatusFields.map(entry))
                }
            }
        }
        let workers = shownAJPWorkers
        if showsCounts { line("AJP Workers", [StatusField("count", workers.count)]) }
        do {
            let shown = workers
            for worker in shown {
                line("AJP Worker", StatusFields.ajpObject(worker, now: now, xmlOrder: false))
                for (index, entry) in worker.maps.enumerated() {
                    line("Map", [StatusField("id", index + 1)] + StatusFields.map(entry))
                }
            }
        }
        line("Result", [StatusField("type", resultType), StatusField("message", resultMessage, quoted: true)])
        return out
    }
}
