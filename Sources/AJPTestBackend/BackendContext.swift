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

    /// The fast-mode body: 16 bytes.
    static let fastBody = Array("Hello from AJP!\n".utf8)

    /// Prepares the shared state; fast mode never records.
    init(options: BackendOptions) throws(Listener.SetupError) {
        self.options = options
        let recordPath = options.mode == .fast ? nil : options.recordPath
        recorder = try PacketRecorder(path: recordPath)
        isRecording = recordPath != nil
        nameBytes = Array(options.name.utf8)
        getBodyChunk = AJPResponse.getBodyChunk(options.packetSize - 6)
        fastReply = AJPResponse.sendHeaders(
            status: 200, reason: Array("200".utf8),
            headers: [(.coded(AJPResponseHeaderCode.contentType), Array("text/plain".utf8)),
                      (.coded(AJPResponseHeaderCode.contentLength), Array(String(Self.fastBody.count).utf8))])
            + AJPResponse.bodyChunk(Self.fastBody)
            + AJPResponse.endResponse(reuse: true)
    }
}
