/// What the backend does with every connection; chosen by `--mode`.
enum BackendMode: Equatable, Sendable {
    /// Scripted replies chosen by the request URI.
    case normal
    /// Accept, then close at once without reading.
    case refuse
    /// Record the first packet, then reset the connection (RST).
    case reset
    /// Record everything, answer nothing (not even CPING), until the peer closes.
    case hang
    /// Benchmark mode: no recording, one fixed reply for every request.
    case fast
    /// Every request is answered with this status (reason = its digits) and a short body.
    case status(UInt16)
    /// Scripted replies, but every CPING is answered with 8 bytes of garbage and a close.
    case cpingGarbage

    /// Parses `normal`, `refuse`, `reset`, `hang`, `fast`, `cpinggarbage` or `status:<code>`.
    init?(argument: String) {
        switch argument {
        case "normal": self = .normal
        case "refuse": self = .refuse
        case "reset": self = .reset
        case "hang": self = .hang
        case "fast": self = .fast
        case "cpinggarbage": self = .cpingGarbage
        default:
            guard argument.hasPrefix("status:"), let code = UInt16(argument.dropFirst("status:".count)) else {
                return nil
            }
            self = .status(code)
        }
    }
}

/// The command line, parsed.
struct BackendOptions: Sendable {
    /// IPv4 loopback address to bind.
    var host = "127.0.0.1"
    /// Port to bind; 0 lets the kernel choose.
    var port: UInt16 = 28009
    /// Node name shown in `X-Node` and in bodies.
    var name = "node1"
    /// JSONL file to append to; nil = no recording.
    var recordPath: String?
    /// Global behaviour.
    var mode = BackendMode.normal
    /// Tomcat's `packetSize` (8192...65536): bounds incoming packets, sizes GET_BODY_CHUNK
    /// requests (packetSize − 6) and response body chunks (packetSize − 8).
    var packetSize = 8192
    /// File that receives the bound port (written atomically).
    var portFile: String?
    /// When set, requests whose `secret` attribute differs get 403 and the connection closes.
    var secret: String?
    /// Fast mode: size of the fixed reply body (default 16 bytes, "Hello from AJP!\n"); other
    /// sizes send the pattern `a`...`z` repeated, in chunks of packetSize − 8 bytes.
    var fastBodySize: Int?

    /// Usage text for `--help` and errors.
    static let usage = """
        usage: ajp-test-backend [--listen 127.0.0.1:28009] [--name node1] [--record FILE.jsonl]
                                [--mode normal|refuse|reset|hang|fast|cpinggarbage|status:<code>]
                                [--packet-size 8192] [--port-file FILE] [--secret WORD]
                                [--fast-body-size BYTES]
        """

    /// A command-line problem.
    struct UsageError: Error {
        /// What is wrong.
        var message: String
    }

    /// Parses the arguments (without the program name). `--opt value` and `--opt=value` both work.
    /// Returns nil for `--help`.
    static func parse(_ arguments: [String]) throws(UsageError) -> BackendOptions? {
        var options = BackendOptions()
        var index = 0
        while index < arguments.count {
            var option = arguments[index]
            var value: String?
            if let equals = option.firstIndex(of: "="), option.hasPrefix("--") {
                value = String(option[option.index(after: equals)...])
                option = String(option[..<equals])
            }
            index += 1
            if option == "--help" || option == "-h" { return nil }
            if value == nil {
                guard index < arguments.count else { throw UsageError(message: "\(option) needs a value") }
                value = arguments[index]
                index += 1
            }
            let argument = value!
            switch option {
            case "--listen":
                guard let colon = argument.lastIndex(of: ":"), let port = UInt16(argument[argument.index(after: colon)...]) else {
                    throw UsageError(message: "--listen wants ADDRESS:PORT, got \(argument)")
                }
                options.host = String(argument[..<colon])
                options.port = port
            case "--name":
                options.name = argument
            case "--record":
                options.recordPath = argument
            case "--mode":
                guard let mode = BackendMode(argument: argument) else {
                    throw UsageError(message: "unknown mode \(argument)")
                }
                options.mode = mode
            case "--packet-size":
                guard let size = Int(argument), (8192...65536).contains(size) else {
                    throw UsageError(message: "--packet-size must be 8192...65536, got \(argument)")
                }
                options.packetSize = size
            case "--port-file":
                options.portFile = argument
            case "--secret":
                options.secret = argument
            case "--fast-body-size":
                guard let size = Int(argument), (0...(64 << 20)).contains(size) else {
                    throw UsageError(message: "--fast-body-size must be 0...67108864, got \(argument)")
                }
                options.fastBodySize = size
            default:
                throw UsageError(message: "unknown option \(option)")
            }
        }
        return options
    }
}
