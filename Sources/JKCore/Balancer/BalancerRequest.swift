import CJKCore

/// The facts about one request that the balancer decides on (reference §4.3, §5.4, §9.5.1), built
/// once per request before `BalancerService` starts.
public struct BalancerRequest {
    /// The session id, when stickiness applies and one was found.
    public var sessionID: SessionID?
    /// True when the request carried an empty session id (log it at info, as mod_jk does).
    public var hadEmptySessionID: Bool
    /// `JK_ROUTE` (non-empty), which also becomes the AJP route attribute; nil when unset.
    public var environmentRoute: UnsafeRawBufferPointer?
    /// `stateless` (rule extension, overridden by `JK_STATELESS`): not a new session (Sessions/Next
    /// methods do not charge it) and `lb_value` is not compared (first usable in rotation wins).
    public var stateless: Bool
    /// `sticky_ignore` (rule extension, overridden by `JK_STICKY_IGNORE`): session ids are ignored.
    public var stickyIgnore: Bool
    /// The rule's `active=`/`disabled=`/`stopped=` overrides, if any.
    public var activationOverrides: ActivationOverrides? {
        get { storedOverrides.values.isEmpty ? nil : storedOverrides }
        set { storedOverrides = newValue ?? .none }
    }
    /// The overrides, `ActivationOverrides.none` for none. Stored without an `Optional`: copying an
    /// `ActivationOverrides?` built that type's metadata at run time, in every httpd child on its
    /// first balanced request.
    var storedOverrides: ActivationOverrides
    /// `set_session_cookie` is on by the rule extension (`gather` also folds in the lb attribute;
    /// `BalancerService` applies the lb attribute in any case).
    public var setSessionCookie: Bool
    /// The request came over TLS (the session cookie then gets `;Secure`).
    public var isSecure: Bool

    /// Creates the facts directly (tests, or callers that looked up the session id themselves).
    public init(sessionID: SessionID? = nil, hadEmptySessionID: Bool = false,
                environmentRoute: UnsafeRawBufferPointer? = nil, stateless: Bool = false, stickyIgnore: Bool = false,
                activationOverrides: ActivationOverrides? = nil, setSessionCookie: Bool = false,
                isSecure: Bool = false) {
        self.sessionID = sessionID
        self.hadEmptySessionID = hadEmptySessionID
        self.environmentRoute = environmentRoute
        self.stateless = stateless
        self.stickyIgnore = stickyIgnore
        if let activationOverrides { storedOverrides = activationOverrides } else { storedOverrides = .none }
        self.setSessionCookie = setSessionCookie
        self.isSecure = isSecure
    }

    /// Gathers the facts as mod_jk does: `JK_STICKY_IGNORE` / `JK_STATELESS` override the rule
    /// extensions; the session id is looked up only when the lb has `sticky_session` and the
    /// request is not sticky-ignored, with the rule's `session_cookie` / `session_path` if given.
    ///
    /// Every view (environment values, URI, headers) is borrowed: the result must not outlive the
    /// request. Allocates only for the rare request with several session cookies.
    ///
    /// - Parameters:
    ///   - rule: the rule's extensions (read in place: nothing of the value is copied).
    ///   - environmentRoute: `JK_ROUTE`, nil when unset.
    ///   - environmentStickyIgnore: `JK_STICKY_IGNORE`, nil when unset.
    ///   - environmentStateless: `JK_STATELESS`, nil when unset.
    ///   - uri: the forwarded request URI.
    ///   - headers: the request headers (the `Cookie` ones are used).
    public static func gather(topology: BalancerTopology, rule: RuleExtensionsRef,
                              activationOverrides: ActivationOverrides?,
                              environmentRoute: UnsafeRawBufferPointer?,
                              environmentStickyIgnore: UnsafeRawBufferPointer?,
                              environmentStateless: UnsafeRawBufferPointer?,
                              uri: UnsafeRawBufferPointer, headers: UnsafeBufferPointer<sjk_pair_t>,
                              isSecure: Bool) -> BalancerRequest {
        let route = environmentRoute.flatMap { $0.count > 0 ? $0 : nil }
        let stickyIgnore = environmentFlag(environmentStickyIgnore) ?? rule.value.stickyIgnore ?? false
        // The session first and the value built once at the end: mutating a `var` result made the
        // optimiser copy the whole value (and retain its parts) on return.
        var sessionID: SessionID?
        var hadEmptySessionID = false
        if topology.settings.stickySession, !stickyIgnore {
            switch SessionIdentifier.lookup(environmentRoute: route, uri: uri,
                                            cookieHeaders: SessionIdentifier.cookieHeaders(in: headers),
                                            cookieName: rule.sessionCookieName ?? topology.sessionCookieName,
                                            pathName: rule.sessionPathName ?? topology.sessionPathName) {
            case .none: break
            case .empty: hadEmptySessionID = true
            case .found(let id): sessionID = id
            }
        }
        return BalancerRequest(
            sessionID: sessionID, hadEmptySessionID: hadEmptySessionID, environmentRoute: route,
            stateless: environmentFlag(environmentStateless) ?? rule.value.stateless ?? false,
            stickyIgnore: stickyIgnore,
            activationOverrides: activationOverrides.flatMap { $0.isEmpty ? nil : $0 },
            setSessionCookie: rule.value.setSessionCookie == true || topology.settings.setSessionCookie,
            isSecure: isSecure)
    }

    /// An environment switch such as `JK_STATELESS`: nil when unset; set and empty ⇒ true;
    /// otherwise true when C's `atoi` of the value is non-zero ("0", "x", "4294967296" are false).
    public static func environmentFlag(_ value: UnsafeRawBufferPointer?) -> Bool? {
        guard let value else { return nil }
        guard value.count > 0 else { return true }
        return cAtoi(value) != 0
    }

    /// glibc's `atoi` (`(int)strtol(s, NULL, 10)`) over bytes, without traps.
    static func cAtoi(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var index = 0
        while index < bytes.count, ByteCompare.isCSpace(bytes[index]) { index += 1 }
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var magnitude: UInt64 = 0
        var saturated = false
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { saturated = true } else { magnitude = sum }
            index += 1
        }
        let long: Int64
        if saturated || magnitude > UInt64(Int64.max) {
            long = negative ? Int64.min : Int64.max
        } else {
            long = negative ? -Int64(magnitude) : Int64(magnitude)
        }
        return Int32(truncatingIfNeeded: long)
    }
}
