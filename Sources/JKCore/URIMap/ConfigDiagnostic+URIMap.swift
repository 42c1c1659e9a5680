/// Diagnostic codes of the URI map: mount rules (JkMount, JkUnMount, uriworkermap.properties,
/// `worker.<name>.mount`) and their rule extensions (reference §5).
extension ConfigDiagnostic.Code {
    /// Error: after its `-`/`!` prefixes the pattern does not start with `/` (mod_jk: "invalid
    /// context ... does not begin with '/'"). The rule is dropped. Covers the `*.jsp=w` form of
    /// the upstream docs, which must be written `/*.jsp=w`.
    public static let uriPatternNotAbsolute = Self("uri-pattern-not-absolute")
    /// Warning: a `;` token after the worker is not a known rule extension; it is ignored.
    public static let unknownRuleExtension = Self("unknown-rule-extension")
    /// Warning: a rule extension that may be given once was repeated; the first value is kept
    /// (for `set_session_cookie`: a second value is ignored only when the first enabled it).
    public static let duplicateRuleExtension = Self("duplicate-rule-extension")
    /// Warning: a numeric rule extension value is not a plain integer; like mod_jk (`atoi`) the
    /// leading digits are used, or 0 when there are none.
    public static let ruleExtensionNotANumber = Self("rule-extension-not-a-number")
    /// Warning: an exact rule (no `*` or `?`) that looks as if it were meant to cover a subtree,
    /// e.g. the rule `<Location /app/> JkMount w </Location>` creates; it still matches only itself.
    public static let exactMountLooksLikePrefix = Self("exact-mount-looks-like-prefix")
    /// Warning: one source maps the same pattern to two different workers; which one mod_jk
    /// uses is unspecified (unstable `qsort`), SwiftJK uses the rule declared later.
    public static let ambiguousMount = Self("ambiguous-mount")
    /// Warning: the same rule key was given twice in one source (JkMount/JkUnMount in one server,
    /// or a key in one uriworkermap file); the later one replaces the earlier one, as in mod_jk.
    public static let duplicateMount = Self("duplicate-mount")
    /// Warning: `|` in a `worker.<name>.mount` pattern; mod_jk expands the `X|Y` shorthand only in
    /// JkMount and uriworkermap.properties, so here the `|` is a literal byte of the pattern.
    public static let mountPipeNotExpanded = Self("mount-pipe-not-expanded")
    /// Warning: worker `*` on a rule that is not an exclusion; `*` means "any worker" only in
    /// JkUnMount/`!` rules, elsewhere it names a worker called `*`.
    public static let wildcardWorkerInMount = Self("wildcard-worker-in-mount")
}
