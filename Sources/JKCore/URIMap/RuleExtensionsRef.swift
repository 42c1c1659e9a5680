/// A rule's extensions behind one reference, for the request path: handing a request its rule's
/// extensions (or none) then costs one retain instead of copying every list and string of the
/// value (about 300 instructions per request).
public final class RuleExtensionsRef: Sendable {
    /// The extensions.
    public let value: RuleExtensions

    /// Wraps `value`.
    public init(_ value: RuleExtensions) {
        self.value = value
    }

    /// No extensions: what a rule without any behaves like.
    public static let none = RuleExtensionsRef(RuleExtensions())
}
