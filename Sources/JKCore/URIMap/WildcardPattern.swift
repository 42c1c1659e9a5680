/// Byte-level matching of one mount pattern against a normalised URI, with the semantics of
/// mod_jk's `jk_wildchar_match` (case-sensitive, as on Unix):
///
/// * `*` matches any run of bytes, including `/` and the empty run;
/// * `?` matches exactly one byte;
/// * every other byte matches itself; there is no escaping and there are no character classes;
/// * the whole URI must be consumed.
///
/// A pattern with neither `*` nor `?` is an exact rule and is compared for equality.
///
/// mod_jk matches recursively (one C stack frame per `*` tried). This is the usual iterative form:
/// only the most recent `*` needs to be remembered, because a later `*` can absorb anything an
/// earlier one could. It runs in O(pattern × URI) time, uses no heap and no recursion, and the unit
/// tests check it against a transliteration of the recursive C function.
enum WildcardPattern {
    /// The two pattern bytes with a meaning.
    static let star = UInt8(ascii: "*")
    /// Matches one byte.
    static let question = UInt8(ascii: "?")

    /// True when `pattern` contains `*` or `?`, i.e. it is not an exact rule.
    static func isWildcard(_ pattern: some Sequence<UInt8>) -> Bool {
        pattern.contains { $0 == star || $0 == question }
    }

    /// True when `text` equals `pattern` byte for byte.
    @inline(__always)
    static func exactMatch(_ pattern: UnsafeBufferPointer<UInt8>, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard pattern.count == text.count else { return false }
        var index = 0
        while index < text.count {
            if pattern[index] != text[index] { return false }
            index += 1
        }
        return true
    }

    /// True when the whole of `text` matches the wildcard `pattern`.
    ///
    /// Every subscript below is guarded by a `< count` test in the same condition, so no input can
    /// read out of bounds.
    static func wildcardMatch(_ pattern: UnsafeBufferPointer<UInt8>, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var patternIndex = 0
        var textIndex = 0
        // Position just after the last `*` seen, and the text position that `*` currently stops at.
        var resumePattern = -1
        var resumeText = 0
        while textIndex < text.count {
            if patternIndex < pattern.count {
                let byte = pattern[patternIndex]
                if byte == star {
                    patternIndex += 1
                    resumePattern = patternIndex
                    resumeText = textIndex
                    continue
                }
                if byte == question || byte == text[textIndex] {
                    patternIndex += 1
                    textIndex += 1
                    continue
                }
            }
            // Mismatch (or pattern used up while text remains): let the last `*` take one more byte.
            guard resumePattern >= 0 else { return false }
            resumeText += 1
            textIndex = resumeText
            patternIndex = resumePattern
        }
        while patternIndex < pattern.count, pattern[patternIndex] == star { patternIndex += 1 }
        return patternIndex == pattern.count
    }
}

extension WildcardPattern {
    /// True when `name` matches `pattern` (`*` and `?`), for the status worker's `sw` wildcards.
    static func matches(pattern: String, name: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let name = Array(name.utf8)
        return pattern.withUnsafeBufferPointer { p in name.withUnsafeBufferPointer { wildcardMatch(p, $0) } }
    }
}
