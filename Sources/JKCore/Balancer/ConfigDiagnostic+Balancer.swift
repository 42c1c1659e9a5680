extension ConfigDiagnostic.Code {
    // Rule extensions bound to an lb (warnings; mod_jk logs the same two).

    /// `active=`/`disabled=`/`stopped=` names a worker that is not a member of the lb.
    public static let activationOverrideUnknownMember = Self("activation-override-unknown-member")
    /// A member is named in two of `active=`, `disabled=`, `stopped=`; the later list wins.
    public static let inconsistentActivationOverride = Self("inconsistent-activation-override")

    // Balancer lint (warnings mod_jk never gave; `BalancerLint`).

    /// A member route contains `;`: session ids are split at `;`, so no session can name it.
    public static let routeNeverMatches = Self("lb-route-never-matches")
    /// A member route contains `,`, `?` or `/`: one of the session id sources can never carry it.
    public static let routePartlyUnreachable = Self("lb-route-partly-unreachable")
    /// A member route contains `.`, which makes the part before it the member's domain.
    public static let routeImpliesDomain = Self("lb-route-implies-domain")
    /// A member's `redirect` is not the route of any member (it is a route, not a worker name).
    public static let redirectNamesNoRoute = Self("lb-redirect-names-no-route")
    /// A member's `redirect` is its own route.
    public static let redirectToItself = Self("lb-redirect-to-itself")
    /// `sticky_session_force` is set while `sticky_session` is off.
    public static let stickyForceWithoutSticky = Self("lb-sticky-force-without-sticky")
    /// `set_session_cookie` is set while `sticky_session` is off: the cookie is never read back.
    public static let sessionCookieNeverRead = Self("lb-session-cookie-never-read")
    /// No member is Active: requests without a session find no member.
    public static let noActiveMember = Self("lb-no-active-member")
    /// `health_check_uri` is not an absolute path (or contains a space or control character).
    public static let invalidHealthCheckURI = Self("lb-invalid-health-check-uri")
    /// `health_check_status` is not an HTTP status (100–599).
    public static let invalidHealthCheckStatus = Self("lb-invalid-health-check-status")
    /// The lbfactors' least common multiple does not fit in 64 bits; multipliers are approximate.
    public static let lbfactorOverflow = Self("lb-lbfactor-overflow")
}
