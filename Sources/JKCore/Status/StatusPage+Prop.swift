extension StatusPage {
    /// `mime=prop`: `prefix.object.key=value` lines in mod_jk's order, with its quirks (repeated
    /// `list` and `balance_workers` keys, member reset and error times keyed by the lb's name,
    /// spaces in `error_time_unix seconds`), so existing parsers read the same keys.
    public func renderProp() -> String {
        let p = settings.prefix
        var out = ""
        func put(_ key: String, _ value: String) { out += p + "." + key + "=" + value + "\n" }
        func put(_ path: String, _ fields: [StatusField]) {
            for field in fields { put(path + "." + field.key, field.value) }
        }
        let now = snapshot.now
        if showsHeader {
            for field in StatusFields.server(name: serverName, port: serverPort) { put("server_" + field.key, field.value) }
        }
        if showsHeader && scope != .serverOnly {
            for field in StatusFields.time(now) { put("time_" + field.key, field.value) }
            for field in StatusFields.software(webServer: webServer, jkVersion: jkVersion) { put(field.key, field.value) }
        }
        let balancers = shownBalancers
        if showsCounts { put("lb_count", String(balancers.count)) }
        do {
            let shown = balancers
            for (lb, members) in shown {
                put("list", lb.name)
                put(lb.name, StatusFields.balancer(lb, now: now))
                for member in members {
                    put(lb.name + ".balance_workers", member.name)
                    put(member.name, StatusFields.ajp(member.config, xmlOrder: false) + StatusFields.member(member))
                    put(lb.name, StatusFields.reset(member.counters.lastReset, now: now)
                        + StatusFields.errorTime(member.errorTime, now: now, spaced: true))
                }
                for (index, entry) in lb.maps.enumerated() {
                    put(lb.name + ".map.\(index + 1)", StatusFields.map(entry))
                }
            }
        }
        let workers = shownAJPWorkers
        if showsCounts { put("ajp_count", String(workers.count)) }
        do {
            let shown = workers
            for worker in shown {
                put(worker.name + ".list", worker.name)
                put(worker.name, StatusFields.ajp(worker.config, xmlOrder: false) + StatusFields.ajpCounters(worker)
                    + StatusFields.reset(worker.counters.lastReset, now: now)
                    + StatusFields.errorTime(worker.errorTime, now: now, spaced: true))
                for (index, entry) in worker.maps.enumerated() {
                    put(worker.name + ".map.\(index + 1)", StatusFields.map(entry))
                }
            }
        }
        put("result.type", resultType)
        put("result.message", resultMessage)
        return out
    }
}
