/// Configuration warnings about load balancers that mod_jk accepts silently but that almost
/// certainly do not do what was meant (`apachectl configtest` shows them). They never change
/// behaviour. Two members sharing a route is an error found elsewhere (`duplicate-route`), and
/// lb-only attributes set on a member are warned about by the workers lint.
public enum BalancerLint {
    /// Checks one lb. `members` and `names` are in `balance_workers` order (equal counts; extra
    /// entries of the longer list are ignored). `locate` gives the line that set a property key
    /// (e.g. `worker.m1.route`), so member warnings name it; without it they name `location`.
    public static func lint(settings: LoadBalancerSettings, members: [AJPWorkerSettings], names: [String],
                            location: SourceLocation?, locate: (String) -> SourceLocation? = { _ in nil },
                            log: inout DiagnosticLog) {
        let count = min(members.count, names.count)
        let lb = "load balancer with members " + names.prefix(count).map { "'\($0)'" }.joined(separator: ", ")
        for index in 0..<count {
            let name = names[index]
            let routeLine = locate("worker.\(name).route") ?? locate("worker.\(name).jvm_route") ?? location
            let explicitDomain = locate("worker.\(name).domain") != nil
            lintRoute(of: name, members[index], explicitDomain: explicitDomain, location: routeLine, log: &log)
            lintRedirect(of: name, members[index], members: members.prefix(count), names: names.prefix(count),
                         location: locate("worker.\(name).redirect") ?? location, log: &log)
        }
        if settings.stickySessionForce, !settings.stickySession {
            log.warning(.stickyForceWithoutSticky,
                        "sticky_session_force has no effect on the \(lb): sticky_session is off, so no session"
                            + " is ever followed", at: location)
        }
        if settings.setSessionCookie, !settings.stickySession {
            log.warning(.sessionCookieNeverRead,
                        "set_session_cookie on the \(lb) sets a routing cookie that is never read back, because"
                            + " sticky_session is off", at: location)
        }
        if count > 0, !members.prefix(count).contains(where: { $0.activation == .active }) {
            log.warning(.noActiveMember,
                        "no member of the \(lb) is active (all disabled or stopped): requests without a session"
                            + " get 503 unless a member's redirect reaches a hot standby", at: location)
        }
        if LBMultiplier.scale(of: members.prefix(count).map(\.lbfactor)) == nil {
            log.warning(.lbfactorOverflow,
                        "the least common multiple of the lbfactors of the \(lb) does not fit in 64 bits;"
                            + " the load is shared only approximately in their proportion. Use smaller lbfactors"
                            + " with common divisors", at: location)
        }
    }

    /// Routes that a session id can never (or only from some sources) carry, and implicit domains.
    private static func lintRoute(of name: String, _ member: AJPWorkerSettings, explicitDomain: Bool,
                                  location: SourceLocation?, log: inout DiagnosticLog) {
        let route = member.route
        let bytes = Array(route.utf8)
        if bytes.contains(UInt8(ascii: ";")) {
            log.warning(.routeNeverMatches,
                        "route '\(route)' of member '\(name)' contains ';': session ids are split at ';', so no"
                            + " session can ever be routed to it. Use the Tomcat jvmRoute without ';'",
                        at: location)
        } else {
            var sources: [String] = []
            if bytes.contains(UInt8(ascii: ",")) { sources.append("a cookie (values end at ',')") }
            if bytes.contains(UInt8(ascii: "?")) || bytes.contains(UInt8(ascii: "/")) {
                sources.append("the URL path parameter (values end at '?' and '/')")
            }
            if !sources.isEmpty {
                log.warning(.routePartlyUnreachable,
                            "route '\(route)' of member '\(name)' can never come from "
                                + sources.joined(separator: " or ") + "; sessions carried that way lose stickiness",
                            at: location)
            }
        }
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            let implied = String(decoding: bytes[..<dot], as: UTF8.self)
            if member.domain == implied && !explicitDomain {
                log.warning(.routeImpliesDomain,
                            "route '\(route)' of member '\(name)' contains '.', which puts the member in domain"
                                + " '\(implied)': a session route '\(implied)' or '\(implied).<anything>' (and the"
                                + " failover of its own sessions) goes to any usable member of that domain. Set"
                                + " 'worker.\(name).domain' to show this is meant, or use a route without '.'",
                            at: location)
            }
        }
    }

    /// A redirect must be the **route** of another member.
    private static func lintRedirect(of name: String, _ member: AJPWorkerSettings,
                                     members: ArraySlice<AJPWorkerSettings>, names: ArraySlice<String>,
                                     location: SourceLocation?, log: inout DiagnosticLog) {
        let redirect = member.redirect
        guard !redirect.isEmpty else { return }
        if redirect == member.route {
            log.warning(.redirectToItself,
                        "member '\(name)' redirects to its own route '\(redirect)', so its sessions cannot fail over"
                            + " through the redirect", at: location)
            return
        }
        guard !members.contains(where: { $0.route == redirect }) else { return }
        var hint = "redirect takes the route of the failover member (its Tomcat jvmRoute), not its worker name"
        if let target = names.firstIndex(of: redirect) {
            hint = "'\(redirect)' is a member's worker name, but redirect takes a route: write"
                + " 'worker.\(name).redirect=\(members[target].route)'"
        }
        log.warning(.redirectNamesNoRoute,
                    "redirect '\(redirect)' of member '\(name)' is not the route of any member, so its sessions"
                        + " never fail over through it; \(hint)", at: location)
    }
}
