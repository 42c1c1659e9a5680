@testable import JKCore

/// Helpers shared by the URI-map test suites (namespaced so they cannot clash with other suites).
enum URIMapFixtures {
    /// The bytes of `text`.
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Rules from `(pattern, workerSpec)` pairs of one source, in order; asserts nothing.
    static func rules(_ specs: [(String, String)], source: MountSource = .jkMount,
                      log: inout DiagnosticLog) -> [MountRule] {
        var rules: [MountRule] = []
        for (index, spec) in specs.enumerated() {
            rules += MountRule.parse(pattern: spec.0, workerSpec: spec.1, source: source,
                                     location: SourceLocation(file: "httpd.conf", line: index + 1), log: &log)
        }
        return rules
    }

    /// A map of JkMount rules; JkUnMount is written with a leading `!` as mod_jk stores it.
    static func jkMountMap(_ specs: [(String, String)]) -> URIMap {
        var log = DiagnosticLog()
        return URIMap(rules: rules(specs, log: &log))
    }

    /// The worker a raw (decoded, not yet normalised) URI maps to, the way the translate hook does:
    /// normalise, then match. nil when not mapped or when the URI is invalid.
    static func worker(_ map: URIMap, _ uri: String, rejectUnsafe: Bool = false) -> String? {
        guard case .path(let path) = URINormalizer.normalize(bytes(uri)) else { return nil }
        return map.match(path, rejectUnsafe: rejectUnsafe).map { map.rules[$0].worker }
    }

    /// The codes of the diagnostics in `log`, in order.
    static func codes(_ log: DiagnosticLog) -> [String] { log.entries.map(\.code.rawValue) }

    /// Literal transliteration of mod_jk 1.2.48 `jk_servlet_normalize` on a NUL-terminated buffer,
    /// used as the oracle for differential tests. `input` must not contain NUL.
    static func cNormalize(_ input: [UInt8]) -> NormalizedURI {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: "."), semi = UInt8(ascii: ";")
        var path = input + [0, 0, 0]
        if path[0] != slash {
            return path[0] == UInt8(ascii: "*") && path[1] == 0 ? .asterisk : .invalid
        }
        var l = 1, w = 1
        while path[l] != 0 {
            if path[l] == semi {
                l += 1
                while path[l] != slash && path[l] != 0 { l += 1 }
            } else { path[w] = path[l]; w += 1; l += 1 }
        }
        path[w] = 0
        l = 1; w = 1
        while path[l] != 0 {
            if path[w - 1] == slash && path[l] == slash { l += 1 } else { path[w] = path[l]; w += 1; l += 1 }
        }
        path[w] = 0
        l = 1; w = 1
        while path[l] != 0 {
            if path[l] == dot && (path[l + 1] == slash || path[l + 1] == 0) && path[l - 1] == slash {
                l += 1
                if path[l] == slash { l += 1 }
            } else { path[w] = path[l]; w += 1; l += 1 }
        }
        path[w] = 0
        l = 1; w = 1
        while path[l] != 0 {
            if path[l] == dot && path[l + 1] == dot && (path[l + 2] == slash || path[l + 2] == 0)
                && path[l - 1] == slash {
                if w == 1 { return .invalid }
                repeat { w -= 1 } while w != 0 && path[w - 1] != slash
                l += 2
                if path[l] == slash { l += 1 }
            } else { path[w] = path[l]; w += 1; l += 1 }
        }
        return .path(Array(path[..<w]))
    }

    /// Literal transliteration of mod_jk `jk_wildchar_match` (icase 0): 0 match, 1 no match,
    /// -1 abort. Both arrays are read as C strings (a 0 byte ends them).
    static func cWildchar(_ str: [UInt8], _ sx: Int, _ exp: [UInt8], _ ey: Int) -> Int {
        let star = UInt8(ascii: "*"), question = UInt8(ascii: "?")
        var x = sx, y = ey
        while exp[y] != 0 {
            if str[x] == 0 && exp[y] != star { return -1 }
            if exp[y] == star {
                y += 1
                while exp[y] == star { y += 1 }
                if exp[y] == 0 { return 0 }
                while str[x] != 0 {
                    let ret = cWildchar(str, x, exp, y)
                    x += 1
                    if ret != 1 { return ret }
                }
                return -1
            } else if exp[y] != question {
                if str[x] != exp[y] { return 1 }
            }
            y += 1
            x += 1
        }
        return str[x] != 0 ? 1 : 0
    }

    /// Every string of length 0...maxLength over `alphabet`.
    static func allStrings(over alphabet: [UInt8], maxLength: Int) -> [[UInt8]] {
        var result: [[UInt8]] = [[]]
        var frontier: [[UInt8]] = [[]]
        for _ in 0 ..< maxLength {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + [$0] } }
            result += frontier
        }
        return result
    }
}
