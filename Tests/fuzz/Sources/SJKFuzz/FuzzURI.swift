import JKCore

/// A request URI: normalised (dot segments, `%` escapes, `;` parameters), checked, and matched
/// against a fixed map with exact, wildcard, extension and exclusion rules in both modes.
enum FuzzURI {
    static let map: URIMap = {
        var log = DiagnosticLog()
        let rules = MountFileParser.parse("""
            /app/*=w1
            /app/static/*.gif=!w1
            /exact=w2
            /*.jsp=w2
            /w?ld/c*rd/*=w1
            """, file: "fuzz", log: &log)
        return URIMap(rules: rules, log: &log)
    }()

    static func run(_ data: UnsafeRawBufferPointer) {
        let normalized = URINormalizer.normalize(data)
        blackHole(normalized)
        blackHole(URINormalizer.isNormal(data))
        blackHole(map.match(data, rejectUnsafe: true))
        blackHole(map.match(data, rejectUnsafe: false))
    }
}
