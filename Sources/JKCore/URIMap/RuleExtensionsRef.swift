/// A rule's extensions behind one reference, for the request path: handing a request its rule's
/// extensions (or none) then costs one retain instead of copying every list and string of the
/// value (about 300 instructions per request).
///
/// What the load balancer reads on every request is also kept here in a form that reading does not
/// copy: whether any activation list is given, and the session cookie and path names as bytes.
public final class RuleExtensionsRef: @unchecked Sendable {
    /// The extensions.
    public let value: RuleExtensions
    /// True when `active=`, `disabled=` or `stopped=` lists a member.
    public let hasActivationLists: Bool
    /// `session_cookie=` as bytes (nil when not given); owned by this object.
    public let sessionCookieName: UnsafeRawBufferPointer?
    /// `session_path=` as bytes (nil when not given); owned by this object.
    public let sessionPathName: UnsafeRawBufferPointer?

    /// Wraps `value`.
    public init(_ value: RuleExtensions) {
        self.value = value
        hasActivationLists = !value.active.isEmpty || !value.disabled.isEmpty || !value.stopped.isEmpty
        sessionCookieName = Self.ownedBytes(value.sessionCookie)
        sessionPathName = Self.ownedBytes(value.sessionPath)
    }

    deinit {
        sessionCookieName?.deallocate()
        sessionPathName?.deallocate()
    }

    /// No extensions: what a rule without any behaves like.
    public static let none = RuleExtensionsRef(RuleExtensions())

    /// A heap copy of the UTF-8 of `text` (a 1-byte allocation for "", so the view is never nil
    /// for a given name).
    private static func ownedBytes(_ text: String?) -> UnsafeRawBufferPointer? {
        guard let text else { return nil }
        let utf8 = Array(text.utf8)
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(utf8.count, 1), alignment: 1)
        copy.copyBytes(from: utf8)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<utf8.count])
    }
}
