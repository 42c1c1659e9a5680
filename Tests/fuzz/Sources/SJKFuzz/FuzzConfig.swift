import JKCore

/// Configuration text: workers.properties through the loader, uriworkermap.properties through the
/// mount-file parser and the URI map, and the status worker's query string.
enum FuzzConfig {
    static func workers(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        var log = DiagnosticLog()
        let configuration = WorkersConfiguration.load(sources: [.workersFile(text, file: "workers.properties")],
                                                      serverRoot: "/etc/apache2",
                                                      environment: { $0 == "HOME" ? "/root" : nil }, log: &log)
        blackHole(configuration?.workers.count ?? log.entries.count)
    }

    static func uriMap(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        var log = DiagnosticLog()
        let rules = MountFileParser.parse(text, file: "uriworkermap.properties", log: &log)
        let map = URIMap(rules: rules, log: &log)
        for path in ["/", "/app/index.jsp", "/app/x;jsessionid=1.n1", "/static/a.gif", "/%2e%2e/etc"] {
            blackHole(map.match(Array(path.utf8), rejectUnsafe: true))
        }
    }

    static func statusQuery(_ data: UnsafeRawBufferPointer) {
        let query = StatusQuery(String(decoding: data, as: UTF8.self))
        for key in ["cmd", "w", "sw", "mime", "opt", "vwa", "vlm", "att", "val0"] {
            blackHole(query.integer(key))
        }
    }
}
