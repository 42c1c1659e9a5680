/// JkStripSession (reference §4.1): for a URI that is *not* mapped to a worker, mod_jk removes the
/// session path parameter from `r->uri` and `r->filename` before httpd serves the file itself.
///
/// This is `jk_strip_session_id`: find the first occurrence of `parameter` anywhere in the bytes
/// (a plain substring search; no `=` is required after it), then remove it together with everything
/// after it up to, not including, the next `;` or `/` or the end.
/// `/a;jsessionid=X/b.html` → `/a/b.html`; `/a;jsessionid=X;v=1` → `/a;v=1`.
public enum SessionPathStripper {
    /// The default name mod_jk uses (`JK_PATH_SESSION_IDENTIFIER`).
    public static let defaultParameter = ";jsessionid"

    /// JkStripSession: removes the first ";name=..." path parameter (up to next '/' or end); name
    /// default ";jsessionid". nil if absent.
    ///
    /// As in mod_jk, the removal also stops at a following `;`, and `parameter` is matched as
    /// written (JkStripSession's optional name is used verbatim, with or without a leading `;`).
    public static func strip(_ uri: [UInt8], parameter: String = defaultParameter) -> [UInt8]? {
        let needle = Array(parameter.utf8)
        guard let start = firstIndex(of: needle, in: uri) else { return nil }
        var end = start + needle.count
        while end < uri.count, uri[end] != UInt8(ascii: ";"), uri[end] != UInt8(ascii: "/") { end += 1 }
        var result = uri
        result.removeSubrange(start ..< end)
        return result
    }

    /// The first index where `needle` occurs in `haystack` (0 for an empty needle, like `strstr`).
    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        guard let first = needle.first else { return 0 }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == first, haystack[index ..< index + needle.count].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}
