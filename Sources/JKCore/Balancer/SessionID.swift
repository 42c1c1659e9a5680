/// A request's session id (reference §9.5.1) and the routes it names (§9.5.2).
///
/// The id is a `;`-separated list of candidates (several `JSESSIONID` cookies are joined with `;`).
/// The route of a candidate is everything after its **first** `.` (`ABC.node2.extra` ⇒
/// `node2.extra`); a candidate without `.` names no route and is skipped.
///
/// Usually the id is a view of the request's own bytes (a cookie value or a path parameter): no
/// copy. Only a request with two or more session cookies owns a joined copy. `JK_ROUTE=<r>` is kept
/// as the view of `<r>` and behaves as the id `.<r>`.
public struct SessionID {
    /// Where the id's bytes are.
    enum Storage {
        /// Bytes of the request (cookie value or path parameter), borrowed.
        case borrowed(UnsafeRawBufferPointer)
        /// Several cookie values joined with `;`.
        case joined([UInt8])
        /// The `JK_ROUTE` value `r`, standing for the id `.r`.
        case forcedRoute(UnsafeRawBufferPointer)
    }

    /// The id's bytes.
    let storage: Storage

    /// An id that is a view of the request's bytes (valid as long as they are).
    public init(borrowing bytes: UnsafeRawBufferPointer) { storage = .borrowed(bytes) }

    /// An id that owns its bytes.
    public init(bytes: [UInt8]) { storage = .joined(bytes) }

    /// The id `.<route>` that `JK_ROUTE=<route>` stands for (a view of the environment value).
    public init(forcedRoute route: UnsafeRawBufferPointer) { storage = .forcedRoute(route) }

    /// Calls `body` with the route of each candidate in order, stopping when `body` returns true.
    /// Returns true when `body` stopped the walk. Allocates nothing.
    @discardableResult
    public func forEachRoute(_ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        switch storage {
        case .borrowed(let bytes):
            return Self.forEachRoute(in: bytes, body)
        case .joined(let bytes):
            return bytes.withUnsafeBytes { Self.forEachRoute(in: $0, body) }
        case .forcedRoute(let route):
            // The id is "." + route: its first candidate is "." + route up to the first ';', whose
            // route is exactly that part; the rest are ordinary candidates.
            let semicolon = route.firstIndex(of: UInt8(ascii: ";"))
            if body(UnsafeRawBufferPointer(rebasing: route[..<(semicolon ?? route.count)])) { return true }
            guard let semicolon else { return false }
            return Self.forEachRoute(in: UnsafeRawBufferPointer(rebasing: route[(semicolon + 1)...]), body)
        }
    }

    private static func forEachRoute(in id: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool)
        -> Bool {
        guard let base = id.baseAddress else { return false }
        var start = 0
        while start <= id.count {
            // memchr, not a byte loop: an id is scanned on every sticky request.
            let end = ByteCompare.firstOffset(of: UInt8(ascii: ";"), in: base, from: start, to: id.count) ?? id.count
            if let dot = ByteCompare.firstOffset(of: UInt8(ascii: "."), in: base, from: start, to: end),
               body(UnsafeRawBufferPointer(rebasing: id[(dot + 1)..<end])) { return true }
            start = end + 1
        }
        return false
    }

    /// The id as text, for logs (allocates).
    public var text: String {
        switch storage {
        case .borrowed(let bytes): String(decoding: bytes, as: UTF8.self)
        case .joined(let bytes): String(decoding: bytes, as: UTF8.self)
        case .forcedRoute(let route): "." + String(decoding: route, as: UTF8.self)
        }
    }

    /// The routes of all candidates as text, in order (tests and logs; allocates).
    public var routes: [String] {
        var routes: [String] = []
        forEachRoute { route in
            routes.append(String(decoding: route, as: UTF8.self))
            return false
        }
        return routes
    }
}
