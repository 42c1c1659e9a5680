/// Per-rule activation of lb members from the rule extensions `active=`, `disabled=` and
/// `stopped=` (reference §5.4), resolved to member indices once, when the rule is bound to its lb.
/// A member without an override uses the activation in its slot.
public struct ActivationOverrides: Sendable, Equatable {
    /// The override of each member, in member order; nil = use the slot's activation.
    public let values: [MemberActivation?]

    /// No overrides for any member.
    public static let none = ActivationOverrides(values: [])

    /// No overrides for `memberCount` members.
    public init(memberCount: Int) {
        values = Array(repeating: nil, count: max(memberCount, 0))
    }

    /// Explicit values (tests and callers that resolved names themselves).
    public init(values: [MemberActivation?]) {
        self.values = values
    }

    /// Resolves the member names of `extensions` against the lb's `memberNames`, the way mod_jk's
    /// `extension_fix_activation` does: `active` first, then `disabled`, then `stopped`, a later
    /// list overwriting an earlier one (warning `inconsistent-activation-override`); a name that is
    /// not a member is ignored (warning `activation-override-unknown-member`).
    public init(extensions: RuleExtensions, memberNames: [String], lbName: String, location: SourceLocation?,
                log: inout DiagnosticLog) {
        var values = [MemberActivation?](repeating: nil, count: memberNames.count)
        let lists: [([String], MemberActivation)] = [(extensions.active, .active), (extensions.disabled, .disabled),
                                                      (extensions.stopped, .stopped)]
        for (names, activation) in lists {
            for name in names {
                guard let index = memberNames.firstIndex(of: name) else {
                    log.warning(.activationOverrideUnknownMember,
                                "rule extension names '\(name)', which is not a member of load balancer '\(lbName)';"
                                    + " it is ignored", at: location)
                    continue
                }
                if let earlier = values[index] {
                    log.warning(.inconsistentActivationOverride,
                                "member '\(name)' of load balancer '\(lbName)' is listed in two activation rule"
                                    + " extensions: '\(earlier.attributeText)' is replaced by"
                                    + " '\(activation.attributeText)'", at: location)
                }
                values[index] = activation
            }
        }
        self.values = values
    }

    /// True when no member has an override.
    public var isEmpty: Bool { values.allSatisfy { $0 == nil } }

    /// The override of `member`, nil when none (or the index is not a member).
    @inline(__always)
    public subscript(member: Int) -> MemberActivation? {
        values.indices.contains(member) ? values[member] : nil
    }
}
