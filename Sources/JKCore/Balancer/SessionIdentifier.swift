import CJKCore

/// Finds a request's session id (reference §9.5.1), byte by byte, as mod_jk 1.2.48's
/// `get_sessionid` / `get_path_param` / `get_cookie` do. First hit wins:
///
/// 1. `JK_ROUTE` non-empty ⇒ the id is `.<JK_ROUTE>` (forces that route).
/// 2. The path parameter: the first occurrence of `session_path` (default `;jsessionid`,
///    case-sensitive) in the forwarded URI that is immediately followed by `=` and a non-empty rest;
///    the value runs to the next `?`, `;` or `/`. It wins over the cookie, **even when that value is
///    empty** (`/x;jsessionid=;a` has an empty id and the cookie is not looked at).
/// 3. The cookies: every occurrence of `session_cookie` (default `JSESSIONID`, case-sensitive) in
///    every `Cookie` header that is at the start of the value or after `;`, `,` or a space; spaces
///    before `=` are skipped; `=` must be followed by at least one byte; the value runs to the next
///    `;` or `,`; one pair of surrounding double quotes is removed. All values are joined with `;`.
/// 4. An empty id is "no session" (mod_jk logs it at info level).
///
/// Whether to look at all (`sticky_session`, `sticky_ignore`, `JK_STICKY_IGNORE`) is the caller's
/// decision (`BalancerService` makes it).
public enum SessionIdentifier {
    /// What the lookup found.
    public enum Lookup {
        /// No session id anywhere.
        case none
        /// A session id was present but empty (`JSESSIONID=;`): treated as "no session"; log it.
        case empty
        /// A non-empty session id.
        case found(SessionID)

        /// The id, if one was found.
        public var sessionID: SessionID? {
            if case .found(let id) = self { return id }
            return nil
        }
    }

    /// Looks up the session id of a request.
    ///
    /// - Parameters:
    ///   - environmentRoute: the value of `JK_ROUTE`, or nil when unset (empty counts as unset).
    ///   - uri: the forwarded request URI (mod_jk's `req_uri`).
    ///   - cookieHeaders: the values of the request's `Cookie` headers, in order (see
    ///     `cookieHeaders(in:)`).
    ///   - cookieName: `session_cookie` (the rule extension's, else the lb's).
    ///   - pathName: `session_path` (the rule extension's, else the lb's).
    /// - Returns: the id; it borrows `environmentRoute`, `uri` or a cookie header unless several
    ///   cookies had to be joined.
    public static func lookup<Cookies: Sequence<UnsafeRawBufferPointer>>(
        environmentRoute: UnsafeRawBufferPointer?, uri: UnsafeRawBufferPointer, cookieHeaders: Cookies,
        cookieName: UnsafeRawBufferPointer, pathName: UnsafeRawBufferPointer
    ) -> Lookup {
        if let route = environmentRoute, route.count > 0 { return .found(SessionID(forcedRoute: route)) }
        if let value = pathParameter(pathName, in: uri) {
            return value.count > 0 ? .found(SessionID(borrowing: value)) : .empty
        }
        var first: UnsafeRawBufferPointer?
        var joined: [UInt8]?
        for header in cookieHeaders {
            forEachCookieValue(named: cookieName, in: header) { value in
                if joined != nil {
                    joined?.append(UInt8(ascii: ";"))
                    joined?.append(contentsOf: value)
                } else if let earlier = first {
                    var bytes = [UInt8](earlier)
                    bytes.append(UInt8(ascii: ";"))
                    bytes.append(contentsOf: value)
                    joined = bytes
                } else {
                    first = value
                }
            }
        }
        if let joined { return .found(SessionID(bytes: joined)) }
        guard let first else { return .none }
        return first.count > 0 ? .found(SessionID(borrowing: first)) : .empty
    }

    /// `get_path_param`: the value of the first `name=` occurrence in `uri` that has something after
    /// the `=`, cut at the first `?`, `;` or `/` (so it may be empty); nil when there is none.
    public static func pathParameter(_ name: UnsafeRawBufferPointer, in uri: UnsafeRawBufferPointer)
        -> UnsafeRawBufferPointer? {
        var search = 0
        while let match = ByteCompare.firstRange(of: name, in: uri, from: search) {
            let equals = match + name.count
            guard equals < uri.count, uri[equals] == UInt8(ascii: "=") else {
                search = match + 1
                continue
            }
            let start = equals + 1
            // mod_jk only takes a value when something follows the '='; otherwise it searches on
            // (and nothing can follow the end of the URI).
            guard start < uri.count else { return nil }
            var end = start
            while end < uri.count {
                let byte = uri[end]
                if byte == UInt8(ascii: "?") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "/") { break }
                end += 1
            }
            return UnsafeRawBufferPointer(rebasing: uri[start..<end])
        }
        return nil
    }

    /// `get_cookie` for one header value: calls `body` with each value of cookie `name`, in order.
    public static func forEachCookieValue(named name: UnsafeRawBufferPointer, in header: UnsafeRawBufferPointer,
                                          _ body: (UnsafeRawBufferPointer) -> Void) {
        var search = 0
        while let match = ByteCompare.firstRange(of: name, in: header, from: search) {
            guard match == 0 || isCookieSeparator(header[match - 1]) else {
                search = match + 1
                continue
            }
            var cursor = match + name.count
            while cursor < header.count, ByteCompare.isCSpace(header[cursor]) { cursor += 1 }
            // '=' followed by at least one byte (which may be ';': the value is then empty).
            guard cursor + 1 < header.count, header[cursor] == UInt8(ascii: "=") else {
                search = cursor + 1
                continue
            }
            var start = cursor + 1
            var end = start
            while end < header.count, header[end] != UInt8(ascii: ";"), header[end] != UInt8(ascii: ",") { end += 1 }
            let terminator = end
            if end - start > 1, header[start] == UInt8(ascii: "\""), header[end - 1] == UInt8(ascii: "\"") {
                start += 1
                end -= 1
            }
            body(UnsafeRawBufferPointer(rebasing: header[start..<end]))
            search = terminator + 1
        }
    }

    @inline(__always)
    private static func isCookieSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ";") || byte == UInt8(ascii: ",") || ByteCompare.isCSpace(byte)
    }

    /// The values of the headers named `Cookie` (any case; `Cookie2` is not one) among `headers`,
    /// lazily and without allocating.
    public static func cookieHeaders(in headers: UnsafeBufferPointer<sjk_pair_t>) -> CookieHeaders {
        CookieHeaders(headers: headers)
    }

    /// The `Cookie` header values of a request (see `cookieHeaders(in:)`).
    public struct CookieHeaders: Sequence {
        /// All request headers.
        let headers: UnsafeBufferPointer<sjk_pair_t>

        /// Walks the headers.
        public struct Iterator: IteratorProtocol {
            /// All request headers.
            let headers: UnsafeBufferPointer<sjk_pair_t>
            /// The next header to look at.
            var index = 0

            /// The next `Cookie` header value.
            public mutating func next() -> UnsafeRawBufferPointer? {
                while index < headers.count {
                    let pair = headers[index]
                    index += 1
                    guard let name = pair.name.bytes, ByteCompare.equalIgnoringASCIICase(name, "COOKIE"),
                          let value = pair.value.bytes else { continue }
                    return value
                }
                return nil
            }
        }

        /// An iterator over the cookie header values.
        public func makeIterator() -> Iterator { Iterator(headers: headers) }
    }
}
