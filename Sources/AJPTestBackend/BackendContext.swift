/// Everything connection threads share: the options, the recorder and precomputed replies.
/// Immutable after start-up, so any thread may read it.
final class BackendContext: Sendable {
    /// The parsed command line.
    let options: BackendOptions
    /// The JSONL sink (disabled in fast mode and without `--record`).
    let recorder: PacketRecorder
    /// True when packets are recorded; lets the hot path skip building JSON.
    let isRecording: Bool
    /// The node name as bytes.
    let nameBytes: [UInt8]
    /// GET_BODY_CHUNK(packetSize − 6), as Tomcat sends it.
    let getBodyChunk: [UInt8]
    /// The complete fast-mode reply (SEND_HEADERS + SEND_BODY_CHUNK + END_RESPONSE(1)).
    let fastReply: [UInt8]

    /// `count` bytes of `a`...`z` repeated (what `/size/N` sends too).
    static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(ascii: "a") + UInt8($0 % 26) }
    }

    /// The fast-mode body by default: 16 bytes.
    static let fastBody = Array("Hello from AJP!\n".utf8)

    /// Prepares the shared state; fast mode never records.
    init(options: BackendOptions) throws(Listener.SetupError) {
        self.options = options
        let recordPath = options.mode == .fast ? nil : options.recordPath
        recorder = try PacketRecorder(path: recordPath)
        isRecording = recordPath != nil
        nameBytes = Array(options.name.utf8)
        getBodyChunk = AJPResponse.getBodyChunk(options.packetSize - 6)
        let body = options.fastBodySize.map { Self.pattern(count: $0) } ?? Self.fastBody
        var reply = AJPResponse.sendHeaders(
            status: 200, reason: Array("200".utf8),
            headers: [(.coded(AJPResponseHeaderCode.contentType), Array("text/plain".utf8)),
                      (.coded(AJPResponseHeaderCode.contentLength), Array(String(body.count).utf8))])
        let chunkSize = options.packetSize - 8
        var offset = 0
        while offset < body.count {
            let length = min(chunkSize, body.count - offset)
            reply += AJPResponse.bodyChunk(body[offset..<(offset + length)])
            offset += length
        }
        fastReply = reply + AJPResponse.endResponse(reuse: true)
    }
}
