/// The result of normalising a request URI before it is mapped (reference §3.3).
public enum NormalizedURI: Equatable, Sendable {
    /// The normalised path; it always starts with `/`. Mapping uses it; forwarding uses the original.
    case path([UInt8])
    /// The request target was `*` alone (`OPTIONS *`): allowed through, never mapped.
    case asterisk
    /// The URI does not start with `/`, climbs above the root with `..`, or contains a NUL byte.
    /// The request must be answered with HTTP 400.
    case invalid
}

/// Normalises the decoded `r->uri` exactly as mod_jk 1.2.48 does before it consults the URI map
/// (`jk_servlet_normalize`, the CVE-2018-11759 fix). The steps, in order, are separate passes:
///
/// 1. A path that does not start with `/` is invalid, except `*` alone (`OPTIONS *`).
/// 2. Path parameters are removed from every segment: from each `;` up to the next `/` or the end
///    (`/a;x=1/b;jsessionid=2` → `/a/b`, `/;x/` → `//`, later collapsed to `/`).
/// 3. Runs of `/` collapse to one `/`.
/// 4. `.` segments are removed (`/./` → `/`, a trailing `/.` → `/`).
/// 5. `..` segments remove the segment before them (`/a/b/../c` → `/a/c`, a trailing `/a/..` → `/`);
///    a `..` that would climb above `/` makes the URI invalid (mod_jk logs it at EMERG and answers 400).
///
/// Because the passes run one after the other, `/a/.;x/../b` first loses `;x` and then resolves the
/// `..` (→ `/b`), and `/app/..;/jkstatus` becomes `/jkstatus`: mapping sees what Tomcat will serve.
///
/// Deviation from the C code, which works on a C string: a NUL byte anywhere makes the URI
/// `.invalid` instead of silently ending the string there. httpd never produces one (it refuses
/// `%00`), so this only matters to callers that build the bytes themselves.
public enum URINormalizer {
    /// §3.3 steps 1-5 on the decoded `r->uri` bytes.
    ///
    /// Allocates one array for the result; never traps on any input.
    public static func normalize(_ uri: some Collection<UInt8>) -> NormalizedURI {
        var path = [UInt8](uri)
        guard let first = path.first, first == slash else {
            return path == [UInt8(ascii: "*")] ? .asterisk : .invalid
        }
        if path.contains(0) { return .invalid }
        removePathParameters(&path)
        collapseSlashes(&path)
        removeDotSegments(&path)
        guard resolveDotDotSegments(&path) else { return .invalid }
        return .path(path)
    }

    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")
    private static let semicolon = UInt8(ascii: ";")

    /// The byte at `index`, or 0 (the C terminator) past the end.
    @inline(__always)
    private static func byte(_ path: [UInt8], _ index: Int) -> UInt8 {
        index >= 0 && index < path.count ? path[index] : 0
    }

    // Every pass below mirrors one loop of jk_servlet_normalize: a read index `l` and a write index
    // `w <= l`, both starting at 1 because index 0 is the leading `/`. Writes therefore stay inside
    // the array, and the byte at `l - 1` is still the original one (it was either untouched or
    // rewritten with itself), which is what the C conditions test.

    /// Pass 1: drops every `;...` run up to (not including) the next `/`.
    private static func removePathParameters(_ path: inout [UInt8]) {
        var read = 1
        var write = 1
        while read < path.count {
            if path[read] == semicolon {
                read += 1
                while read < path.count, path[read] != slash { read += 1 }
            } else {
                path[write] = path[read]
                write += 1
                read += 1
            }
        }
        path.removeSubrange(write...)
    }

    /// Pass 2: collapses runs of `/` to one.
    private static func collapseSlashes(_ path: inout [UInt8]) {
        var read = 1
        var write = 1
        while read < path.count {
            if path[write - 1] == slash, path[read] == slash {
                read += 1
            } else {
                path[write] = path[read]
                write += 1
                read += 1
            }
        }
        path.removeSubrange(write...)
    }

    /// Pass 3: removes `./` segments and a trailing `.` segment.
    private static func removeDotSegments(_ path: inout [UInt8]) {
        var read = 1
        var write = 1
        while read < path.count {
            let next = byte(path, read + 1)
            if path[read] == dot, next == slash || next == 0, path[read - 1] == slash {
                read += 1
                if byte(path, read) == slash { read += 1 }
            } else {
                path[write] = path[read]
                write += 1
                read += 1
            }
        }
        path.removeSubrange(write...)
    }

    /// Pass 4: resolves `../` segments and a trailing `..`; false when one climbs above the root.
    private static func resolveDotDotSegments(_ path: inout [UInt8]) -> Bool {
        var read = 1
        var write = 1
        while read < path.count {
            let after = byte(path, read + 2)
            if path[read] == dot, byte(path, read + 1) == dot, after == slash || after == 0,
               path[read - 1] == slash {
                if write == 1 { return false }
                // Wind the write index back over the previous segment (and its trailing `/`).
                repeat {
                    write -= 1
                } while write > 1 && path[write - 1] != slash
                read += 2
                if byte(path, read) == slash { read += 1 }
            } else {
                path[write] = path[read]
                write += 1
                read += 1
            }
        }
        path.removeSubrange(write...)
        return true
    }
}

extension URINormalizer {
    /// True when `normalize` would return `uri` unchanged: it starts with `/` and has no path
    /// parameter, no NUL, no `//`, and no `.` or `..` segment. The common case on the request
    /// path, checked without copying.
    public static func isNormal(_ uri: UnsafeRawBufferPointer) -> Bool {
        guard uri.count > 0, uri[0] == UInt8(ascii: "/") else { return false }
        var previous = UInt8(ascii: "/")
        var index = 1
        while index < uri.count {
            let byte = uri[index]
            if byte == 0 || byte == UInt8(ascii: ";") { return false }
            if byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/") { return false }
            if byte == UInt8(ascii: ".") && previous == UInt8(ascii: "/") {
                // "/." or "/.." as a whole segment (followed by "/" or the end).
                let next = index + 1 < uri.count ? uri[index + 1] : UInt8(ascii: "/")
                if next == UInt8(ascii: "/") { return false }
                if next == UInt8(ascii: ".") {
                    let after = index + 2 < uri.count ? uri[index + 2] : UInt8(ascii: "/")
                    if after == UInt8(ascii: "/") { return false }
                }
            }
            previous = byte
            index += 1
        }
        return true
    }
}
