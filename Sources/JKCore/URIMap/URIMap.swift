/// One server's immutable table of mount rules, sorted and precompiled for matching
/// (reference §5.3; mod_jk's `uri_worker_map` and `map_uri_to_worker_ext`).
///
/// Order, most specific first:
/// 1. more `/` in the pattern;
/// 2. longer pattern (bytes);
/// 3. higher source rank (uriworkermap > JkMount > worker mount);
/// 4. remaining ties (same pattern length and slashes from one source, e.g. the same pattern mounted
///    to two workers): mod_jk leaves them to an unstable `qsort`, so its choice is unspecified.
///    SwiftJK keeps declaration order (a stable sort: the rule declared **earlier** wins), so sorting
///    an already sorted table changes nothing. Identical JkMount keys never tie: the later JkMount
///    replaces the earlier one before sorting, as in mod_jk (see `init(rules:log:)`).
///
/// Lookup of a normalised URI u: no mapping when u does not start with `/`, is longer than 4095
/// bytes, or (with `rejectUnsafe`) contains `%` or `\`. Otherwise the first enabled, non-exclusion
/// rule that matches selects worker W; then any enabled exclusion rule for W or for `*` that
/// matches u cancels the mapping. Exclusions are checked against the URI, not against the winning
/// pattern, so `!/*.gif=*` excludes gifs everywhere.
///
/// The table is built once at configuration time and only read afterwards, so it can be shared by
/// all threads without a lock. Matching allocates nothing for contiguous input.
public struct URIMap: Sendable {
    /// URIs longer than this many bytes are never mapped (`JK_MAX_URI_LEN`).
    public static let maximumURILength = 4095

    /// What the matcher needs of one rule, in the same order as `rules`.
    private struct CompiledRule: Sendable {
        /// Offset of the pattern bytes in `patternStorage`.
        var start: Int
        /// Length of the pattern in bytes.
        var count: Int
        /// `*` or `?` present: glob match; otherwise byte equality.
        var isWildcard: Bool
        /// Interned worker name, compared by number.
        var workerID: Int
    }

    /// The rules in match order.
    private var sortedRules: [MountRule]
    /// The rules as given (after JkMount de-duplication), kept so that copies keep tie order.
    private var declaredRules: [MountRule]
    /// Compiled form of `sortedRules`.
    private var compiled: [CompiledRule]
    /// Every pattern's bytes, back to back.
    private var patternStorage: [UInt8]
    /// Indices of enabled, non-exclusion rules, in match order.
    private var mappingOrder: [Int]
    /// Indices of enabled exclusion rules.
    private var exclusionOrder: [Int]
    /// The interned id of the worker name `*`.
    private var anyWorkerID: Int

    /// Builds the table; diagnostics are discarded (see `init(rules:log:)`).
    public init(rules: [MountRule]) {
        var ignored = DiagnosticLog()
        self.init(rules: rules, log: &ignored)
    }

    /// Builds the table from rules in declaration order and reports what can never behave as written:
    ///
    /// * `duplicate-mount`: two JkMount/JkUnMount rules with the same key (prefixes + pattern); like
    ///   mod_jk's per-server JkMount table, the later one replaces the earlier one;
    /// * `ambiguous-mount`: one source maps the same pattern to two workers (mod_jk: unspecified;
    ///   here the earlier declaration wins);
    /// * `exact-mount-looks-like-prefix`: an exact JkMount rule for a single path segment without a
    ///   `.` (e.g. from `<Location /app> JkMount w </Location>`) with no rule below it.
    ///
    /// uriworkermap rules should already have been de-duplicated by `MountFileParser`.
    public init(rules: [MountRule], log: inout DiagnosticLog) {
        let declared = URIMap.removingReplacedJkMounts(rules, log: &log)
        let order = URIMap.sortedIndices(declared)
        let sorted = order.map { declared[$0] }
        URIMap.reportAmbiguities(sorted, log: &log)
        URIMap.reportLocationStyleRules(sorted, log: &log)

        var workerIDs: [[UInt8]: Int] = [:]
        func intern(_ worker: String) -> Int {
            let bytes = Array(worker.utf8)
            if let id = workerIDs[bytes] { return id }
            let id = workerIDs.count
            workerIDs[bytes] = id
            return id
        }
        var storage: [UInt8] = []
        var compiled: [CompiledRule] = []
        var mapping: [Int] = []
        var exclusions: [Int] = []
        compiled.reserveCapacity(sorted.count)
        for (index, rule) in sorted.enumerated() {
            let start = storage.count
            storage.append(contentsOf: rule.pattern.utf8)
            compiled.append(CompiledRule(start: start, count: storage.count - start, isWildcard: rule.isWildcard,
                                         workerID: intern(rule.worker)))
            if rule.isDisabled { continue }
            if rule.isExclusion { exclusions.append(index) } else { mapping.append(index) }
        }
        self.anyWorkerID = intern("*")
        self.sortedRules = sorted
        self.declaredRules = declared
        self.compiled = compiled
        self.patternStorage = storage
        self.mappingOrder = mapping
        self.exclusionOrder = exclusions
    }

    /// The rules in match order (most specific first); `match` returns indices into this array.
    /// Setting it rebuilds the table from the new rules, taken as declaration order.
    public var rules: [MountRule] {
        get { sortedRules }
        set { self = URIMap(rules: newValue) }
    }

    /// §5.3 lookup on a normalised path; returns the index into `rules` of the winning rule, or nil
    /// (also nil when rejectUnsafe and the path has % or \, or longer than 4095 bytes).
    ///
    /// Pass the output of `URINormalizer`; the bytes are compared as they are. Never traps and does
    /// not allocate when `path` has contiguous storage (arrays, native strings' UTF-8 views).
    public func match(_ path: some Collection<UInt8>, rejectUnsafe: Bool) -> Int? {
        if let result = path.withContiguousStorageIfAvailable({ match(buffer: $0, rejectUnsafe: rejectUnsafe) }) {
            return result
        }
        return Array(path).withUnsafeBufferPointer { match(buffer: $0, rejectUnsafe: rejectUnsafe) }
    }

    /// JkMountCopy: this map's rules plus `parent`'s rules whose pattern this map does not define
    /// (own rules win on identical patterns).
    ///
    /// As in mod_jk (`jk_map_copy` of the JkMount table), only the parent's JkMount/JkUnMount rules
    /// are copied, and "defines" means "has a JkMount rule with the same key" (`!` and pattern): a
    /// vhost's `JkUnMount /a w` does not hide the main server's `JkMount /a w`. The parent's
    /// `worker.X.mount` rules stay with the main server, and its JkMountFile is inherited as a file
    /// (by the caller, only when the vhost has none), not as rules.
    public func inheriting(from parent: URIMap) -> URIMap {
        let ownKeys = Set(declaredRules.lazy.filter { $0.source == .jkMount }.map(\.key))
        let inherited = parent.declaredRules.filter { $0.source == .jkMount && !ownKeys.contains($0.key) }
        // Own rules first, so that on a tie the vhost's own (earlier) rule wins.
        return URIMap(rules: declaredRules + inherited)
    }

    // MARK: - Matching

    private static let slash = UInt8(ascii: "/")
    private static let percent = UInt8(ascii: "%")
    private static let backslash = UInt8(ascii: "\\")

    /// The lookup on contiguous bytes.
    private func match(buffer text: UnsafeBufferPointer<UInt8>, rejectUnsafe: Bool) -> Int? {
        guard text.count <= URIMap.maximumURILength, text.first == URIMap.slash else { return nil }
        if rejectUnsafe {
            for byte in text where byte == URIMap.percent || byte == URIMap.backslash { return nil }
        }
        return patternStorage.withUnsafeBufferPointer { storage -> Int? in
            var winner: Int?
            for index in mappingOrder where matches(compiled[index], storage, text) {
                winner = index
                break
            }
            guard let winner else { return nil }
            let workerID = compiled[winner].workerID
            for index in exclusionOrder {
                let rule = compiled[index]
                if rule.workerID == workerID || rule.workerID == anyWorkerID, matches(rule, storage, text) {
                    return nil
                }
            }
            return winner
        }
    }

    /// True when `rule` matches `text`. `start`/`count` were taken from `storage` itself at build
    /// time, so the slice is always in bounds.
    @inline(__always)
    private func matches(_ rule: CompiledRule, _ storage: UnsafeBufferPointer<UInt8>,
                         _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let pattern = UnsafeBufferPointer(rebasing: storage[rule.start ..< rule.start + rule.count])
        return rule.isWildcard
            ? WildcardPattern.wildcardMatch(pattern, text)
            : WildcardPattern.exactMatch(pattern, text)
    }

    // MARK: - Building

    /// Drops JkMount/JkUnMount rules replaced by a later one with the same key (mod_jk keeps
    /// JkMount rules in a table keyed by `!`+pattern where `jk_map_put` overwrites).
    private static func removingReplacedJkMounts(_ rules: [MountRule], log: inout DiagnosticLog) -> [MountRule] {
        var lastIndex: [[UInt8]: Int] = [:]
        for (index, rule) in rules.enumerated() where rule.source == .jkMount {
            lastIndex[rule.key] = index
        }
        guard lastIndex.count < rules.lazy.filter({ $0.source == .jkMount }).count else { return rules }
        var kept: [MountRule] = []
        kept.reserveCapacity(rules.count)
        for (index, rule) in rules.enumerated() {
            if rule.source == .jkMount, let last = lastIndex[rule.key], last != index {
                let later = rules[last]
                log.warning(.duplicateMount,
                            "\(describe(rule)) is replaced by the later \(describe(later))"
                            + "\(later.location.map { " at \($0)" } ?? ""); only the later one is used",
                            at: rule.location)
                continue
            }
            kept.append(rule)
        }
        return kept
    }

    /// Indices of `rules` in match order (see the type's documentation).
    private static func sortedIndices(_ rules: [MountRule]) -> [Int] {
        struct SortKey {
            var slashes: Int
            var length: Int
            var rank: Int
            var index: Int
        }
        let keys = rules.enumerated().map { index, rule in
            SortKey(slashes: rule.pattern.utf8.lazy.filter { $0 == slash }.count, length: rule.pattern.utf8.count,
                    rank: rule.source.rawValue, index: index)
        }
        return keys.sorted { lhs, rhs in
            if lhs.slashes != rhs.slashes { return lhs.slashes > rhs.slashes }
            if lhs.length != rhs.length { return lhs.length > rhs.length }
            if lhs.rank != rhs.rank { return lhs.rank > rhs.rank }
            return lhs.index < rhs.index
        }.map(\.index)
    }

    /// Warns about one source mapping the same pattern to different workers.
    private static func reportAmbiguities(_ sorted: [MountRule], log: inout DiagnosticLog) {
        struct Key: Hashable {
            var source: MountSource
            var pattern: [UInt8]
        }
        var firstByKey: [Key: Int] = [:]
        for (index, rule) in sorted.enumerated() where !rule.isDisabled && !rule.isExclusion {
            let key = Key(source: rule.source, pattern: Array(rule.pattern.utf8))
            guard let winnerIndex = firstByKey[key] else {
                firstByKey[key] = index
                continue
            }
            let winner = sorted[winnerIndex]
            guard !winner.worker.utf8.elementsEqual(rule.worker.utf8) else { continue }
            log.warning(.ambiguousMount,
                        "\(describe(rule)) and \(describe(winner))"
                        + "\(winner.location.map { " at \($0)" } ?? "") map the same pattern to different workers; "
                        + "SwiftJK uses the one declared first ('\(winner.worker)'); mod_jk 1.2.48's choice is "
                        + "unspecified (unstable qsort)",
                        at: rule.location)
        }
    }

    /// Warns about exact JkMount rules that look like a `<Location /app>` meant to cover `/app/...`.
    private static func reportLocationStyleRules(_ sorted: [MountRule], log: inout DiagnosticLog) {
        let active = sorted.filter { !$0.isDisabled && !$0.isExclusion }
        for rule in active where rule.source == .jkMount && !rule.isWildcard {
            let bytes = Array(rule.pattern.utf8)
            guard bytes.count > 1, bytes.lazy.filter({ $0 == slash }).count == 1,
                  !bytes.contains(UInt8(ascii: ".")) else { continue }
            let below = bytes + [slash]
            if active.contains(where: { $0.pattern.utf8.starts(with: below) }) { continue }
            log.warning(.exactMountLooksLikePrefix,
                        "rule '\(rule.pattern)' has no '*' or '?', so it maps only '\(rule.pattern)' itself, not "
                        + "'\(rule.pattern)/...'; if it comes from <Location \(rule.pattern)>, also mount "
                        + "'\(rule.pattern)/*' (or write '\(rule.pattern)|/*')",
                        at: rule.location)
        }
    }

    /// `JkMount '/a' 'w'`-style text for messages.
    private static func describe(_ rule: MountRule) -> String {
        let name: String
        switch rule.source {
        case .jkMount: name = rule.isExclusion ? "JkUnMount" : "JkMount"
        case .mountFile: name = "uriworkermap rule"
        case .workerProperty: name = "worker.\(rule.worker).mount"
        }
        let prefix = (rule.isDisabled ? "-" : "") + (rule.isExclusion && rule.source != .jkMount ? "!" : "")
        return "\(name) '\(prefix)\(rule.pattern)' → '\(rule.worker)'"
    }
}
