import CJKCore
import Testing

@testable import JKCore

/// One captured packet, header included.
struct GoldenVector: Sendable, CustomTestStringConvertible {
    /// `<capture>#<n>`: the capture it came from and its position there (see GoldenVectors.swift).
    let name: String
    /// The packet bytes.
    let bytes: [UInt8]

    /// Parses `hex`, ignoring all whitespace.
    init(_ name: String, hex: String) {
        self.name = name
        self.bytes = Hex.bytes(hex)
    }

    /// The payload: everything after the 4-byte header.
    var payload: [UInt8] { Array(bytes.dropFirst(4)) }

    var testDescription: String { name }
}

/// Hex helpers for building and printing test bytes.
enum Hex {
    /// The bytes of a hex string; whitespace is ignored. Traps on anything else (a typo in test data).
    static func bytes(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8?
        for scalar in text.unicodeScalars {
            let nibble: UInt8
            switch scalar {
            case "0"..."9": nibble = UInt8(scalar.value - 48)
            case "a"..."f": nibble = UInt8(scalar.value - 87)
            case "A"..."F": nibble = UInt8(scalar.value - 55)
            case " ", "\n", "\t": continue
            default: preconditionFailure("not a hex digit: \(scalar)")
            }
            if let first = high {
                result.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        precondition(high == nil, "odd number of hex digits")
        return result
    }

    /// Space-separated lower-case hex.
    static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef")
        return bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]]) }.joined(separator: " ")
    }
}

/// The ASCII/UTF-8 bytes of a string.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Records an issue naming the first differing offset, with a few bytes of context, when `actual`
/// is not `expected`. Whole-packet `#expect(a == b)` output is unreadable for 200-byte packets.
func expectSameBytes(_ actual: [UInt8], _ expected: [UInt8], _ what: String = "",
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard actual != expected else { return }
    let common = zip(actual, expected).prefix { $0 == $1 }.count
    let from = max(0, common - 8)
    let message = """
        \(what) differs at offset \(common) (actual \(actual.count) bytes, expected \(expected.count)):
          actual   ...\(Hex.string(actual[from..<min(actual.count, common + 16)]))
          expected ...\(Hex.string(expected[from..<min(expected.count, common + 16)]))
        """
    Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
}

/// Keeps the memory behind borrowed views (`sjk_str_t`, `sjk_pair_t`, `UnsafeRawBufferPointer`) alive
/// for as long as the arena lives. Every view handed out points into an allocation the arena frees
/// in `deinit`, so tests can build C request views the way the shim does, with stable storage.
final class ByteArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for allocation in allocations { allocation.deallocate() }
    }

    /// A stable copy of `bytes`. Empty input still gets a non-nil base address ("" is not absent).
    func buffer(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        allocations.append(memory)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.copyMemory(from: base, byteCount: source.count) }
        }
        return UnsafeRawBufferPointer(start: memory, count: bytes.count)
    }

    /// A stable copy of the UTF-8 of `text`.
    func buffer(_ text: String) -> UnsafeRawBufferPointer { buffer(ascii(text)) }

    /// A string view; nil gives the absent string (NULL pointer).
    func str(_ text: String?) -> sjk_str_t {
        guard let text else { return sjk_str_t(ptr: nil, len: 0) }
        return sjk_str_t(buffer(text))
    }

    /// A stable array of name/value pairs, or nil when `pairs` is empty.
    func pairs(_ pairs: [(String, String)]) -> UnsafePointer<sjk_pair_t>? {
        guard !pairs.isEmpty else { return nil }
        let memory = UnsafeMutablePointer<sjk_pair_t>.allocate(capacity: pairs.count)
        allocations.append(UnsafeMutableRawPointer(memory))
        for (index, pair) in pairs.enumerated() {
            (memory + index).initialize(to: sjk_pair_t(name: str(pair.0), value: str(pair.1)))
        }
        return UnsafePointer(memory)
    }
}

/// Everything that goes into one FORWARD_REQUEST: the fields of `sjk_request_t` plus the
/// per-worker `AJPForwardContext`. Defaults are the capture environment of GoldenVectors.swift.
struct RequestSpec: Sendable {
    var method = "GET"
    var protocolName = "HTTP/1.1"
    var uri = "/"
    var query: String?
    var remoteAddr = GoldenVectors.Environment.address
    var remotePort = "41028"
    var remoteHost: String?
    var serverName = GoldenVectors.Environment.address
    var serverPort = GoldenVectors.Environment.serverPort
    var localAddr = GoldenVectors.Environment.address
    var remoteUser: String?
    var authType: String?
    var isSSL = false
    var sslCert: String?
    var sslCipher: String?
    var sslSession: String?
    var sslProtocol: String?
    var sslKeySize: String?
    /// r->headers_in in order.
    var headers: [(String, String)] = []
    var envAttributes: [(String, String)] = []
    var ignoreContentLength = false
    var isSubrequest = false
    /// JkOptions; ForwardKeySize is on by default in mod_jk.
    var options = UInt32(SJK_OPT_FORWARD_KEY_SIZE)
    /// The forwarded URI (context.uri); nil forwards `uri`.
    var forwardedURI: String?
    var secret: String?
    var route: String?
    var activation: StaticString = "ACT"

    /// curl 7.88.1's own headers for `host:port`, then `extra` in order.
    static func curlHeaders(port: Int32 = GoldenVectors.Environment.serverPort,
                            _ extra: [(String, String)] = []) -> [(String, String)] {
        [("Host", "127.0.0.1:\(port)"), ("User-Agent", "curl/7.88.1"), ("Accept", "*/*")] + extra
    }

    /// The C request view; every pointer in it lives as long as `arena`.
    func view(in arena: ByteArena) -> sjk_request_t {
        var request = sjk_request_t()
        request.method = arena.str(method)
        request.protocol = arena.str(protocolName)
        request.uri = arena.str(uri)
        request.unparsed_uri = arena.str(query.map { "\(uri)?\($0)" } ?? uri)
        request.query = arena.str(query)
        request.remote_addr = arena.str(remoteAddr)
        request.remote_port = arena.str(remotePort)
        request.remote_host = arena.str(remoteHost)
        request.server_name = arena.str(serverName)
        request.server_port = serverPort
        request.local_addr = arena.str(localAddr)
        request.remote_user = arena.str(remoteUser)
        request.auth_type = arena.str(authType)
        request.is_ssl = isSSL ? 1 : 0
        request.ssl_cert = arena.str(sslCert)
        request.ssl_cipher = arena.str(sslCipher)
        request.ssl_session = arena.str(sslSession)
        request.ssl_protocol = arena.str(sslProtocol)
        request.ssl_key_size = arena.str(sslKeySize)
        request.headers = arena.pairs(headers)
        request.header_count = headers.count
        request.env_attributes = arena.pairs(envAttributes)
        request.env_attribute_count = envAttributes.count
        request.ignore_content_length = ignoreContentLength ? 1 : 0
        request.is_subrequest = isSubrequest ? 1 : 0
        request.reply_timeout_ms = -1
        request.options = options
        request.extension = sjk_str_t(ptr: nil, len: 0)
        return request
    }

    /// The body mode RequestBodyMode.of derives from this request.
    var bodyMode: RequestBodyMode {
        let arena = ByteArena()
        return withExtendedLifetime(arena) { RequestBodyMode.of(view(in: arena)) }
    }

    /// The FORWARD_REQUEST packet the encoder writes into a buffer of `capacity` bytes
    /// (max_packet_size), with the body mode derived from the request.
    func encode(capacity: Int = 8192) throws -> [UInt8] {
        let arena = ByteArena()
        return try withExtendedLifetime(arena) {
            let request = view(in: arena)
            let context = AJPForwardContext(uri: .verbatim(arena.buffer(forwardedURI ?? uri)),
                                            secret: secret.map { arena.buffer($0) },
                                            route: route.map { arena.buffer($0) },
                                            activation: activation)
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
            defer { storage.deallocate() }
            var writer = AJPMessageWriter(buffer: storage)
            let packet = try AJPForwardRequestEncoder.encode(request, body: RequestBodyMode.of(request),
                                                             context: context, into: &writer)
            return Array(packet)
        }
    }
}

/// A response header as plain values, for assertions.
struct HeaderLine: Equatable, CustomStringConvertible {
    /// nil: the name was absent (NULL).
    var name: String?
    /// nil: the value was absent (NULL).
    var value: String?

    init(_ name: String?, _ value: String?) {
        self.name = name
        self.value = value
    }

    init(_ pair: sjk_pair_t) {
        self.init(pair.name.string, pair.value.string)
    }

    var description: String { "\(name ?? "<null>"): \(value ?? "<null>")" }
}

/// An owned copy of an `AJPResponseMessage`, comparable in tests.
enum DecodedResponse: Equatable {
    case sendHeaders(status: Int, reason: String?, headers: [HeaderLine])
    case sendBodyChunk([UInt8])
    case endResponse(reuse: Bool)
    case getBodyChunk(requested: Int)
    case cpong

    init(_ message: AJPResponseMessage) {
        switch message {
        case .sendHeaders(let status, let reason, let headers):
            self = .sendHeaders(status: status, reason: reason.map { String(decoding: $0, as: UTF8.self) },
                                headers: headers.map(HeaderLine.init))
        case .sendBodyChunk(let bytes): self = .sendBodyChunk(Array(bytes))
        case .endResponse(let reuse): self = .endResponse(reuse: reuse)
        case .getBodyChunk(let requested): self = .getBodyChunk(requested: requested)
        case .cpong: self = .cpong
        }
    }

    /// Decodes `payload` (the bytes after the 4-byte header) and copies the result.
    static func decode(payload: [UInt8]) throws -> DecodedResponse {
        try payload.withUnsafeBytes { try DecodedResponse(AJPResponseMessage.decode($0)) }
    }

    /// Decodes a whole packet, checking its header with `AJPFrameDecoder` first.
    static func decode(packet: [UInt8], maxPacketSize: Int = 8192) throws -> DecodedResponse {
        let frame = try packet.withUnsafeBytes { try AJPFrameDecoder(maxPacketSize: maxPacketSize).nextFrame($0) }
        guard let frame, frame.consumed == packet.count else {
            Issue.record("not exactly one frame: \(Hex.string(packet.prefix(8)))")
            throw AJPError(.truncated, "test packet is not one frame")
        }
        return try decode(payload: Array(packet[frame.payload]))
    }
}

/// An owned copy of an `AJPExchange.Action`, comparable in tests.
enum ActionSummary: Equatable {
    case sendBody(maxLength: Int)
    case startResponse(status: Int, reason: String?, headers: [HeaderLine])
    case startDefaultResponseAndWrite([UInt8])
    case write([UInt8])
    case flush
    case none
    case finish(reuse: Bool)

    init(_ action: AJPExchange.Action) {
        switch action {
        case .sendBody(let maxLength): self = .sendBody(maxLength: maxLength)
        case .startResponse(let status, let reason, let headers):
            self = .startResponse(status: status, reason: reason.map { String(decoding: $0, as: UTF8.self) },
                                  headers: headers.map(HeaderLine.init))
        case .startDefaultResponseAndWrite(let bytes): self = .startDefaultResponseAndWrite(Array(bytes))
        case .write(let bytes): self = .write(Array(bytes))
        case .flush: self = .flush
        case .none: self = .none
        case .finish(let reuse): self = .finish(reuse: reuse)
        }
    }
}

/// Feeds a byte stream to `AJPFrameDecoder` in pieces, the way a connection's read loop does:
/// append what arrived, then take every complete frame off the front (the decoder itself never
/// consumes; the caller drops `frame.consumed` bytes).
struct FrameAccumulator {
    let decoder: AJPFrameDecoder
    /// Bytes received but not yet part of a complete frame.
    private(set) var pending: [UInt8] = []
    /// Complete packets, header included, in order.
    private(set) var frames: [[UInt8]] = []

    init(maxPacketSize: Int = 8192) {
        decoder = AJPFrameDecoder(maxPacketSize: maxPacketSize)
    }

    /// Appends `bytes` and extracts every frame now complete.
    mutating func feed<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        while let frame = try pending.withUnsafeBytes({ try decoder.nextFrame($0) }) {
            frames.append(Array(pending[0..<frame.consumed]))
            pending.removeFirst(frame.consumed)
        }
    }
}
