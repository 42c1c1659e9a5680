/// The settings of one `status` worker (reference §7.6), with mod_jk 1.2.48's defaults.
public struct StatusWorkerSettings: Equatable, Sendable {
    /// `css`: URL of a stylesheet linked from HTML output; default none.
    public var css: String?
    /// `read_only`: refuse edit/update/reset/recover; default false.
    public var readOnly: Bool = false
    /// `user`: authenticated user names allowed; default empty = no restriction.
    public var users: [String] = []
    /// `user_case_insensitive`: compare `users` ignoring case; default false.
    public var userCaseInsensitive: Bool = false
    /// `good`: member classification rules (§11.4); default `a.o,a.n,a.b,a.r`.
    public var good: [String] = ["a.o", "a.n", "a.b", "a.r"]
    /// `bad`: default `s,e`.
    public var bad: [String] = ["s", "e"]
    /// `prefix`: key prefix of mime=prop output; default `worker`.
    public var prefix: String = "worker"
    /// `ns`: XML element prefix; default `jk:`; a value starting with `-` means none (empty).
    public var ns: String = "jk:"
    /// `xmlns`: XML namespace declaration; default `xmlns:jk="http://tomcat.apache.org"`; a value starting
    /// with `-` means none (empty).
    public var xmlns: String = "xmlns:jk=\"http://tomcat.apache.org\""
    /// `doctype`: inserted after the XML declaration; default none.
    public var doctype: String?
    /// `persist_file` (SwiftJK): where runtime edits are kept across restarts; default none (off).
    public var persistFile: String?

    /// The defaults of mod_jk 1.2.48.
    public init() {}
}
