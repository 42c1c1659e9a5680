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
        line("Server", StatusFields.server(name: serverName, port: serverPort))
        line("Time", StatusFields.time(now))
        line("Software", StatusFields.software(webServer: webServer, jkVersion: jkVersion))
        if showsBalancerSection {
            let shown = shownBalancers
            line("Balancer Workers", [StatusField("count", shown.count)])
            for (lb, members) in shown {
                line("Balancer Worker", [StatusField("name", lb.name)] + StatusFields.balancer(lb, now: now))
                for member in members {
                    line("Member", [StatusField("name", member.name)] + StatusFields.ajp(member.config, xmlOrder: false)
                         + StatusFields.member(member) + StatusFields.reset(member.counters.lastReset, now: now)
                         + StatusFields.errorTime(member.errorTime, now: now, spaced: false))
                }
                for (index, entry) in lb.maps.enumerated() {
                    line("Map", [StatusField("id", index + 1)] + StatusFields.map(entry))
                }
            }
        }
        if showsAJPSection {
            let shown = shownAJPWorkers
            line("AJP Workers", [StatusField("count", shown.count)])
            for worker in shown {
                line("AJP Worker", [StatusField("name", worker.name)] + StatusFields.ajp(worker.config, xmlOrder: false)
                     + StatusFields.ajpCounters(worker) + StatusFields.reset(worker.counters.lastReset, now: now)
                     + StatusFields.errorTime(worker.errorTime, now: now, spaced: false))
                for (index, entry) in worker.maps.enumerated() {
                    line("Map", [StatusField("id", index + 1)] + StatusFields.map(entry))
                }
            }
        }
        line("Result", [StatusField("type", resultType), StatusField("message", resultMessage, quoted: true)])
        return out
    }
}
