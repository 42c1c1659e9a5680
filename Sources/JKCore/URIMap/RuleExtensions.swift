/// The per-rule options written after the worker name with `;` (reference §5.4), as mod_jk 1.2.48's
/// `parse_rule_extensions` reads them. `nil` (or an empty list) means "not given": the worker's own
/// setting applies. Values are kept as written; whether they apply to the worker (most need an lb
/// worker) is decided later, when worker names are resolved.
///
/// Numbers are read like C `atoi` (leading blanks, optional sign, leading digits; no digits ⇒ 0;
/// out-of-range values wrap as glibc's `(int)strtol` does).
public struct RuleExtensions: Sendable, Equatable {
    /// `reply_timeout=<ms>`: replaces the worker's reply timeout for this rule. mod_jk uses -1 for
    /// "not set", so a negative value behaves as if the extension were absent.
    public var replyTimeout: Int?
    /// `sticky_ignore=<n>`: true for any non-zero number (ignore session ids, balance freely).
    public var stickyIgnore: Bool?
    /// `stateless=<n>`: true for any non-zero number (not a new session; lb_value not used).
    public var stateless: Bool?
    /// `active=<m1,m2>`: lb members forced to state active for this rule (split on `,` and space).
    public var active: [String]
    /// `disabled=<...>`: lb members forced to state disabled for this rule.
    public var disabled: [String]
    /// `stopped=<...>`: lb members forced to state stopped for this rule.
    public var stopped: [String]
    /// `fail_on_status=<list>`: replaces the worker's fail_on_status for this rule (codes split on
    /// `,` and space; negative codes are soft failures). An empty list is not the same as `nil`:
    /// `fail_on_status=` replaces the worker's list with nothing.
    public var failOnStatus: [Int]?
    /// `use_server_errors=<N>`: backend statuses ≥ N are replaced by httpd's own error page;
    /// 0 means off, as in mod_jk.
    public var useServerErrors: Int?
    /// `session_cookie=<name>`: per-rule session cookie name (may be empty, as written).
    public var sessionCookie: String?
    /// `session_path=<name>`: per-rule session path parameter name. Because `;` separates
    /// extensions, `session_path=;jsessionid` is written with an empty value and mod_jk takes the
    /// *next token* as the value, so this holds `jsessionid` (without `;`), exactly as in mod_jk.
    public var sessionPath: String?
    /// `set_session_cookie=<n>`: true for any non-zero number.
    public var setSessionCookie: Bool?
    /// `session_cookie_path=<path>`: per-rule path of the session cookie.
    public var sessionCookiePath: String?

    /// Creates a set of extensions; every option defaults to "not given".
    public init(replyTimeout: Int? = nil, stickyIgnore: Bool? = nil, stateless: Bool? = nil,
                active: [String] = [], disabled: [String] = [], stopped: [String] = [],
                failOnStatus: [Int]? = nil, useServerErrors: Int? = nil, sessionCookie: String? = nil,
                sessionPath: String? = nil, setSessionCookie: Bool? = nil, sessionCookiePath: String? = nil) {
        self.replyTimeout = replyTimeout
        self.stickyIgnore = stickyIgnore
        self.stateless = stateless
        self.active = active
        self.disabled = disabled
        self.stopped = stopped
        self.failOnStatus = failOnStatus
        self.useServerErrors = useServerErrors
        self.sessionCookie = sessionCookie
        self.sessionPath = sessionPath
        self.setSessionCookie = setSessionCookie
        self.sessionCookiePath = sessionCookiePath
    }

    /// True when no extension was given.
    public var isEmpty: Bool { self == RuleExtensions() }

    /// Splits a worker specification `worker[;ext;ext...]` the way mod_jk's `strtok(";")` does:
    /// the worker is everything before the first `;` that follows a non-`;` byte, and the
    /// extension tokens are the non-empty runs between the remaining `;`s.
    ///
    /// Used for JkMount/uriworkermap values and for the `JK_WORKER_NAME` environment value (§3.2).
    public static func split(workerSpec: String) -> (worker: String, tokens: [Substring]) {
        let semicolon = UInt8(ascii: ";")
        let utf8 = workerSpec.utf8
        // mod_jk keeps leading `;`s in the name (strtok skips them but does not remove them).
        var nameEnd = utf8.startIndex
        while nameEnd < utf8.endIndex, utf8[nameEnd] == semicolon { nameEnd = utf8.index(after: nameEnd) }
        while nameEnd < utf8.endIndex, utf8[nameEnd] != semicolon { nameEnd = utf8.index(after: nameEnd) }
        let worker = String(decoding: utf8[..<nameEnd], as: UTF8.self)
        let tokens = utf8[nameEnd...].split(separator: semicolon, omittingEmptySubsequences: true).map(Substring.init)
        return (worker, tokens)
    }

    /// Parses the extension tokens that follow the worker name (`reply_timeout=100`, ...), in order.
    ///
    /// Empty tokens are skipped (mod_jk's `strtok` never sees them). A token that does not start
    /// with a known name is ignored with an `unknown-rule-extension` warning. `active`, `disabled`,
    /// `stopped`, `fail_on_status` and the `session_*` options keep their first value (warning on
    /// repeats); `reply_timeout`, `sticky_ignore`, `stateless` and `use_server_errors` keep the last.
    public static func parse(_ tokens: ArraySlice<Substring>, location: SourceLocation?,
                             log: inout DiagnosticLog) -> RuleExtensions {
        var result = RuleExtensions()
        var seen = Set<String>()
        var index = tokens.startIndex
        func firstTime(_ name: String) -> Bool {
            if seen.insert(name).inserted { return true }
            log.warning(.duplicateRuleExtension,
                        "rule extension '\(name)' only allowed once; the later value is ignored",
                        at: location)
            return false
        }
        func number(_ name: String, _ value: Substring) -> Int {
            let (parsed, clean) = CInteger.atoi(value)
            if !clean {
                log.warning(.ruleExtensionNotANumber,
                            "rule extension '\(name)=\(value)' is not an integer; it is read as \(parsed)",
                            at: location)
            }
            return parsed
        }
        while index < tokens.endIndex {
            let token = tokens[index]
            index = tokens.index(after: index)
            if token.isEmpty { continue }
            guard let equals = token.utf8.firstIndex(of: UInt8(ascii: "=")) else {
                log.warning(.unknownRuleExtension, "unknown rule extension '\(token)' ignored", at: location)
                continue
            }
            let name = String(decoding: token.utf8[..<equals], as: UTF8.self)
            let value = Substring(token.utf8[token.utf8.index(after: equals)...])
            switch name {
            case "reply_timeout":
                result.replyTimeout = number(name, value)
            case "sticky_ignore":
                result.stickyIgnore = number(name, value) != 0
            case "stateless":
                result.stateless = number(name, value) != 0
            case "use_server_errors":
                result.useServerErrors = number(name, value)
            case "active", "disabled", "stopped":
                guard firstTime(name) else { continue }
                let members = listItems(value).map(String.init)
                if name == "active" {
                    result.active = members
                } else if name == "disabled" {
                    result.disabled = members
                } else {
                    result.stopped = members
                }
            case "fail_on_status":
                guard firstTime(name) else { continue }
                result.failOnStatus = listItems(value).map { number(name, $0) }
            case "session_cookie":
                guard firstTime(name) else { continue }
                result.sessionCookie = String(value)
            case "session_path":
                guard result.sessionPath == nil || firstTime(name) else { continue }
                if value.isEmpty {
                    // `session_path=;jsessionid`: the value is the next non-empty token, if any.
                    while index < tokens.endIndex, tokens[index].isEmpty { index = tokens.index(after: index) }
                    guard index < tokens.endIndex else { continue }
                    result.sessionPath = String(tokens[index])
                    index = tokens.index(after: index)
                } else {
                    result.sessionPath = String(value)
                }
                seen.insert(name)
            case "set_session_cookie":
                // mod_jk tests the current value, not whether it was given: 0 can be overridden.
                if result.setSessionCookie == true {
                    log.warning(.duplicateRuleExtension,
                                "rule extension 'set_session_cookie' only allowed once; the later value is ignored",
                                at: location)
                    continue
                }
                result.setSessionCookie = number(name, value) != 0
            case "session_cookie_path":
                guard firstTime(name) else { continue }
                result.sessionCookiePath = String(value)
            default:
                log.warning(.unknownRuleExtension, "unknown rule extension '\(token)' ignored", at: location)
            }
        }
        return result
    }

    /// The non-empty items of a list value separated by `,` or space (mod_jk's `strtok(", ")`).
    private static func listItems(_ value: Substring) -> [Substring] {
        value.utf8.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") })
            .map(Substring.init)
    }
}

/// C's `atoi` as glibc implements it on LP64 (`(int)strtol(s, NULL, 10)`), without traps.
enum CInteger {
    /// The value, and whether the text was a plain integer (blanks, optional sign, at least one
    /// digit, nothing after the digits).
    static func atoi(_ text: Substring) -> (value: Int, clean: Bool) {
        var bytes = text.utf8[...]
        while let first = bytes.first, first == 0x20 || (first >= 0x09 && first <= 0x0D) {
            bytes = bytes.dropFirst()
        }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var magnitude: UInt64 = 0
        var saturated = false
        var digits = 0
        while let byte = bytes.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { saturated = true } else { magnitude = sum }
            digits += 1
            bytes = bytes.dropFirst()
        }
        // strtol clamps to LONG_MIN/LONG_MAX; the cast to int keeps the low 32 bits.
        let long: Int64
        if negative {
            long = saturated || magnitude > UInt64(Int64.max) ? Int64.min : -Int64(magnitude)
        } else {
            long = saturated || magnitude > UInt64(Int64.max) ? Int64.max : Int64(magnitude)
        }
        return (Int(Int32(truncatingIfNeeded: long)), digits > 0 && bytes.isEmpty)
    }
}
