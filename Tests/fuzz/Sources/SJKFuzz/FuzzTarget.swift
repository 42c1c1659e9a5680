import JKCore

/// The input surfaces of SwiftJK that the fuzzer drives, one per `SJK_FUZZ_TARGET` value. Each takes
/// arbitrary bytes and must neither trap nor touch memory it does not own (AddressSanitizer).
enum FuzzTarget: String, CaseIterable {
    /// Tomcat's side: AJP frames from the container, decoded and fed to the response exchange.
    case ajp
    /// workers.properties text through the whole loader (variables, references, validation).
    case workers
    /// uriworkermap.properties text, then the rules compiled into a URI map.
    case urimap
    /// A request URI through the normaliser and a fixed URI map (both matching modes).
    case uri
    /// Session ids: `;jsessionid=` path parameters and Cookie headers.
    case session
    /// The status worker's query string.
    case statusquery

    /// Runs the target on one input.
    func run(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .ajp: FuzzAJP.run(data)
        case .workers: FuzzConfig.workers(data)
        case .urimap: FuzzConfig.uriMap(data)
        case .uri: FuzzURI.run(data)
        case .session: FuzzSession.run(data)
        case .statusquery: FuzzConfig.statusQuery(data)
        }
    }
}
