/// Findings about workers.properties and `JkWorkerProperty`.
///
/// Errors stop startup exactly where mod_jk 1.2.48 refuses to start (reference §7.7); warnings
/// point out where mod_jk does something surprising and never change what SwiftJK does.
extension ConfigDiagnostic.Code {
    // MARK: Errors

    /// A `worker.…` key that does not end in a known attribute (mod_jk: "The attribute '…' is not
    /// supported", httpd refuses to start).
    public static let unknownAttribute = Self("unknown-attribute")
    /// A status worker's `good` and `bad` rules overlap (mod_jk warns too).
    public static let statusRatingOverlap = Self("status-rating-overlap")
    /// `worker.X.type` names no worker type (comparison is case-sensitive).
    public static let unknownWorkerType = Self("unknown-worker-type")
    /// `worker.X.type` is `ajp12` or `ajp14`, which mod_jk knows but SwiftJK does not implement.
    public static let unsupportedWorkerType = Self("unsupported-worker-type")
    /// An lb worker without `balance_workers` (or with an empty list).
    public static let loadBalancerWithoutMembers = Self("lb-without-members")
    /// A member of an lb is not an ajp13 worker (mod_jk assumes AJP internals for members).
    public static let memberNotAJP13 = Self("lb-member-not-ajp13")
    /// Two members of one lb have the same route (mod_jk: "share the same route").
    public static let duplicateRoute = Self("duplicate-route")
    /// A worker name, host, source, route, domain, redirect or session cookie name/path/cookie path is
    /// longer than 63 bytes.
    public static let valueTooLong = Self("value-too-long")
    /// `worker.X.reference` names a prefix under which no property exists.
    public static let referenceNotFound = Self("reference-not-found")
    /// References nest deeper than mod_jk's limit of 20 (usually a cycle).
    public static let referenceTooDeep = Self("reference-too-deep")
    /// `worker.X.reference` points at a prefix of X itself, which mod_jk copies forever.
    public static let referenceIntoItself = Self("reference-into-itself")
    /// `worker.list` is set but contains no name.
    public static let emptyWorkerList = Self("empty-worker-list")
    /// A `JkWorkerProperty` argument longer than 8192 bytes.
    public static let lineTooLong = Self("line-too-long")

    // MARK: Warnings

    /// A single-valued key set twice: the later value replaces the earlier one.
    public static let duplicateKey = Self("duplicate-key")
    /// A key that is neither single-valued nor a list set twice: mod_jk joins the values with `*`
    /// (or `:`/space), so for numbers the first value wins.
    public static let duplicateKeyJoined = Self("duplicate-key-joined")
    /// A deprecated attribute name (still accepted).
    public static let deprecatedAttribute = Self("deprecated-attribute")
    /// A number that is not `[+-]digits[k|m]`: mod_jk 1.2.48 reads the leading digits (`atoi`), 0 for none.
    public static let invalidInteger = Self("invalid-integer")
    /// A number outside the 32-bit range of mod_jk's `int`, which wraps around.
    public static let integerOverflow = Self("integer-overflow")
    /// A boolean that is none of on/off/true/false/yes/no/1/0: the attribute keeps its default.
    public static let invalidBoolean = Self("invalid-boolean")
    /// An enumeration (method, lock, activation, ping_mode) whose value is not recognised: the default applies.
    public static let invalidChoice = Self("invalid-choice")
    /// `$(name)` that neither an earlier property nor the environment defines, or an unterminated `$(`:
    /// the text stays as written.
    public static let unresolvedVariable = Self("unresolved-variable")
    /// A workers-file line longer than 8191 bytes, which mod_jk reads as several lines.
    public static let longLineSplit = Self("long-line-split")
    /// A `#` glued to a value: everything from `#` on is a comment, so the value is cut short.
    public static let valueCutAtHash = Self("value-cut-at-hash")
    /// A list value with a trailing `\`: there is no line continuation, `\` becomes a name.
    public static let backslashIsNotContinuation = Self("backslash-not-continuation")
    /// An lb-only attribute (method, sticky_session, …) set on an ajp13 worker, where nothing reads it.
    public static let loadBalancerAttributeOnAJP13 = Self("lb-attribute-on-ajp13")
    /// An attribute that the worker's type (or role) never reads.
    public static let attributeHasNoEffect = Self("attribute-no-effect")
    /// Properties of a worker that is neither in `worker.list` nor a member of an lb.
    public static let unusedWorker = Self("unused-worker")
    /// A name given twice in `worker.list`: mod_jk creates it twice and keeps the later instance.
    public static let duplicateListEntry = Self("duplicate-list-entry")
    /// `host` with an embedded `:port`, which mod_jk does not split (the host fails to resolve).
    public static let hostWithPort = Self("host-with-port")
    /// `port=0` disables contact; an lb member with port 0 is Stopped.
    public static let contactDisabled = Self("contact-disabled")
    /// `recovery_options` with both 8 and 16: mod_jk honours only 8 (HEAD), not 16 (GET).
    public static let recoveryOptionsGETIgnored = Self("recovery-options-get-ignored")
    /// A member without its own secret inherits different secrets in different places (directly listed,
    /// or in lbs with different secrets); SwiftJK uses one of them everywhere.
    public static let ambiguousInheritedSecret = Self("ambiguous-inherited-secret")
}
