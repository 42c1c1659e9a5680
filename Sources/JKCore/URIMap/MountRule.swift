/// Where a mount rule came from. The raw value is mod_jk's source rank: on a tie in specificity
/// the higher rank sorts first (reference §5.1).
public enum MountSource: Int, Sendable, Comparable {
    /// `worker.<name>.mount` in workers.properties (main server only).
    case workerProperty = 1
    /// `JkMount` / `JkUnMount`, also inside `<Location>`.
    case jkMount = 2
    /// A line of the `JkMountFile` (uriworkermap.properties); the only reloadable source.
    case mountFile = 3

    /// Orders by rank.
    public static func < (lhs: MountSource, rhs: MountSource) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One URI mapping rule after its prefixes and worker specification have been taken apart
/// (reference §5.2).
public struct MountRule: Sendable, Equatable {
    /// The pattern without `-`/`!` prefixes; always starts with `/`. Without `*` and `?` it is
    /// an exact rule.
    public var pattern: String
    /// The worker name, or `*` ("any worker", meaningful only for exclusion rules).
    public var worker: String
    /// Rule extensions written after the worker with `;`.
    public var extensions: RuleExtensions
    /// `!` prefix or JkUnMount: a match cancels a mapping to `worker` (or to any worker for `*`).
    public var isExclusion: Bool
    /// `-` prefix: the rule takes no part in matching at all.
    public var isDisabled: Bool
    /// Where the rule came from; breaks ties in the sort.
    public var source: MountSource
    /// The line that declared the rule, when known.
    public var location: SourceLocation?

    /// Creates a rule from parts that are already valid (`pattern` must start with `/`).
    public init(pattern: String, worker: String, extensions: RuleExtensions = RuleExtensions(),
                isExclusion: Bool = false, isDisabled: Bool = false, source: MountSource,
                location: SourceLocation? = nil) {
        self.pattern = pattern
        self.worker = worker
        self.extensions = extensions
        self.isExclusion = isExclusion
        self.isDisabled = isDisabled
        self.source = source
        self.location = location
    }

    /// True when the pattern contains `*` or `?` (matched as a wildcard, not compared exactly).
    public var isWildcard: Bool { WildcardPattern.isWildcard(pattern.utf8) }

    /// The key mod_jk stores the rule under (`-`, `!`, pattern bytes): two rules with the same key
    /// in one JkMount table or one uriworkermap file replace each other (compared like `strcmp`).
    var key: [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(pattern.utf8.count + 2)
        if isDisabled { key.append(UInt8(ascii: "-")) }
        if isExclusion { key.append(UInt8(ascii: "!")) }
        key.append(contentsOf: pattern.utf8)
        return key
    }

    /// Parses one rule as written (JkMount uri + worker[;ext...], a uriworkermap key/value, or
    /// worker.X.mount); handles "-" and "!" prefixes and the "X|Y" shorthand (→ two rules);
    /// invalid ⇒ logged, [] returned.
    ///
    /// * Prefixes are honoured only in the order `-` then `!` (`-!/p`); `!-/p` is an exclusion whose
    ///   pattern `-/p` is invalid.
    /// * `X|Y` (first `|` only) yields the rules `X` and `XY`, both with `X`'s prefixes, for
    ///   `.jkMount` and `.mountFile`. mod_jk does not expand it for `worker.X.mount`, so neither do
    ///   we (the `|` stays literal; warning). If one half is invalid the other is still returned.
    /// * A pattern that does not start with `/` after its prefixes is logged (`uri-pattern-not-absolute`
    ///   warning) and skipped, as mod_jk does (for `*.jsp` the message says to write `/*.jsp`).
    ///
    /// For JkMount the directive layer must still reject a first argument that does not start with
    /// `/` (an httpd syntax error in mod_jk) and pass JkUnMount patterns as `"!" + uri`.
    public static func parse(pattern: String, workerSpec: String, source: MountSource, location: SourceLocation?,
                             log: inout DiagnosticLog) -> [MountRule] {
        guard let bar = pattern.utf8.firstIndex(of: UInt8(ascii: "|")) else {
            return parseSingle(pattern, workerSpec: workerSpec, source: source, location: location, log: &log)
        }
        if source == .workerProperty {
            log.warning(.mountPipeNotExpanded,
                        "mount pattern '\(pattern)' contains '|', which worker.<name>.mount takes literally "
                        + "(the X|Y shorthand works only in JkMount and uriworkermap.properties)",
                        at: location)
            return parseSingle(pattern, workerSpec: workerSpec, source: source, location: location, log: &log)
        }
        let head = String(decoding: pattern.utf8[..<bar], as: UTF8.self)
        let joined = head + String(decoding: pattern.utf8[pattern.utf8.index(after: bar)...], as: UTF8.self)
        return parseSingle(head, workerSpec: workerSpec, source: source, location: location, log: &log)
            + parseSingle(joined, workerSpec: workerSpec, source: source, location: location, log: &log)
    }

    /// One rule without `|` handling (mod_jk's `uri_worker_map_add`).
    private static func parseSingle(_ written: String, workerSpec: String, source: MountSource,
                                    location: SourceLocation?, log: inout DiagnosticLog) -> [MountRule] {
        // Bytes, not Characters: a prefix followed by a combining mark is still a prefix in C.
        var rest = written.utf8[...]
        var isDisabled = false
        var isExclusion = false
        if rest.first == UInt8(ascii: "-") {
            isDisabled = true
            rest = rest.dropFirst()
        }
        if rest.first == UInt8(ascii: "!") {
            isExclusion = true
            rest = rest.dropFirst()
        }
        let pattern = String(decoding: rest, as: UTF8.self)
        guard rest.first == UInt8(ascii: "/") else {
            var message = "invalid mount rule '\(written)=\(workerSpec)': the pattern '\(pattern)' does not "
                + "begin with '/'; the rule is ignored"
            if rest.first == UInt8(ascii: "*") {
                message += " (suffix rules are written '/\(pattern)', e.g. '/*.jsp', which matches at any depth)"
            }
            // mod_jk logs and skips such a rule; the rest still loads (reference §5.5, T23).
            log.warning(.uriPatternNotAbsolute, message, at: location)
            return []
        }
        let (worker, tokens) = RuleExtensions.split(workerSpec: workerSpec)
        let extensions = RuleExtensions.parse(tokens[...], location: location, log: &log)
        let rule = MountRule(pattern: pattern, worker: worker, extensions: extensions,
                             isExclusion: isExclusion, isDisabled: isDisabled, source: source, location: location)
        if !isExclusion, worker == "*" {
            log.warning(.wildcardWorkerInMount,
                        "rule '\(written)' maps to a worker named '*'; '*' means 'any worker' only in "
                        + "exclusion rules (JkUnMount or '!')",
                        at: location)
        }
        if !isDisabled, !rule.isWildcard, rest.last == UInt8(ascii: "/") {
            log.warning(.exactMountLooksLikePrefix,
                        "rule '\(pattern)' has no '*' or '?', so it matches only the URI '\(pattern)' itself, "
                        + "not '\(pattern)x'; write '\(pattern)*' to cover the subtree (a JkMount inside "
                        + "<Location> creates such an exact rule)",
                        at: location)
        }
        return [rule]
    }
}
