import JKCore

/// Session ids: the input is split at the first NUL into a request URI and a Cookie header (more NULs
/// split further Cookie headers); the id is looked up as the lb does (path parameter first, then
/// every `JSESSIONID` cookie), and also with an empty and a one-letter cookie name.
enum FuzzSession {
    static func run(_ data: UnsafeRawBufferPointer) {
        let parts = data.split(separator: 0, omittingEmptySubsequences: false)
        guard let uriPart = parts.first else { return }
        let uri = UnsafeRawBufferPointer(rebasing: uriPart)
        let cookies = parts.dropFirst().map { UnsafeRawBufferPointer(rebasing: $0) }
        for (cookieName, pathName) in [("JSESSIONID", "jsessionid"), ("", ""), ("a", "a")] {
            let result: Int = cookieName.utf8.withContiguousStorageIfAvailable { cookie in
                pathName.utf8.withContiguousStorageIfAvailable { path in
                    let lookup = SessionIdentifier.lookup(environmentRoute: nil, uri: uri, cookieHeaders: cookies,
                                                          cookieName: UnsafeRawBufferPointer(cookie),
                                                          pathName: UnsafeRawBufferPointer(path))
                    return String(describing: lookup).utf8.count
                } ?? 0
            } ?? 0
            blackHole(result)
        }
    }
}
