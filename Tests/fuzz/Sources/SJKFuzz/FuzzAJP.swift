import JKCore

/// AJP from the container: the bytes are a stream of frames (as read from a Tomcat socket); every
/// complete frame is decoded and fed to an exchange for a request with a 10-byte body, as the
/// forwarder does, and the headers of SEND_HEADERS are walked. The first byte picks the packet size
/// (8 KiB or 64 KiB) and the request's body mode, so both limits and all three modes are reached.
enum FuzzAJP {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let mode = data.first else { return }
        let stream = UnsafeRawBufferPointer(rebasing: data[1...])
        let packetSize = mode & 1 == 0 ? 8192 : 65536
        let body: RequestBodyMode = switch (mode >> 1) % 3 {
        case 0: .none
        case 1: .contentLength(10)
        default: .chunked
        }
        let decoder = AJPFrameDecoder(maxPacketSize: packetSize)
        var exchange = AJPExchange(body: body, firstChunk: mode & 8 == 0 ? 0 : 10, maxPacketSize: packetSize)
        var offset = 0
        while offset < stream.count {
            let rest = UnsafeRawBufferPointer(rebasing: stream[offset...])
            guard let frame = try? decoder.nextFrame(rest) else { return }
            let payload = UnsafeRawBufferPointer(rebasing: rest[frame.payload])
            offset += frame.consumed
            guard let message = try? AJPResponseMessage.decode(payload) else { continue }
            guard let action = try? exchange.received(message) else { continue }
            switch action {
            case .startResponse(_, _, let headers):
                var total = 0
                for pair in headers { total &+= pair.name.len &+ pair.value.len }
                blackHole(total)
            case .sendBody(let maximum):
                exchange.sentBody(min(maximum, 3))
            case .write(let bytes), .startDefaultResponseAndWrite(let bytes):
                blackHole(bytes.count)
            case .flush, .none:
                break
            case .finish:
                return
            }
        }
    }
}

/// Keeps a computed value alive so the optimiser cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
