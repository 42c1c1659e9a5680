import CJKCore

/// A decoded container→server message (reference §1.7). Byte views borrow the receive buffer
/// and are valid until the next read on the connection.
public enum AJPResponseMessage {
    /// SEND_HEADERS: status, reason (nil or empty: use the standard phrase) and headers.
    case sendHeaders(status: Int, reason: UnsafeRawBufferPointer?, headers: AJPHeaderList)
    /// SEND_BODY_CHUNK: body bytes; an empty chunk asks for a flush.
    case sendBodyChunk(UnsafeRawBufferPointer)
    /// END_RESPONSE: whether the container keeps the connection open.
    case endResponse(reuse: Bool)
    /// GET_BODY_CHUNK: the container wants up to this many more body bytes.
    case getBodyChunk(requested: Int)
    /// CPONG_REPLY.
    case cpong

    /// Decodes one payload (everything after the 4-byte header).
    public static func decode(_ payload: UnsafeRawBufferPointer) throws(AJPError) -> AJPResponseMessage {
        var reader = AJPMessageReader(payload: payload)
        let type = try reader.readByte()
        // On the raw byte (the codes of `AJPMessageType`), so the cases are plain integer compares.
        switch type {
        case 4:  // AJPMessageType.sendHeaders
            return try decodeHeaders(&reader)
        case 3:  // AJPMessageType.sendBodyChunk
            // Tomcat appends one 0x00 not counted in the length, so payload = 1 + 2 + L (+ 1).
            let length = Int(try reader.readInt())
            guard length <= reader.remaining else {
                throw AJPError(.chunkLengthTooLarge, "chunk of \(length) bytes in a \(payload.count)-byte payload")
            }
            return .sendBodyChunk(try reader.readBytes(length))
        case 5:  // AJPMessageType.endResponse
            // A missing reuse byte is treated as "do not reuse" (HEAD mod_jk errors; 1.2.48 reads 0).
            let reuse = reader.remaining > 0 ? try reader.readByte() != 0 : false
            return .endResponse(reuse: reuse)
        case 6:  // AJPMessageType.getBodyChunk
            return .getBodyChunk(requested: Int(try reader.readInt()))
        case 9:  // AJPMessageType.cpongReply
            return .cpong
        default:
            throw AJPError(.unknownMessageType, "prefix \(type)")
        }
    }

    private static func decodeHeaders(_ reader: inout AJPMessageReader) throws(AJPError) -> AJPResponseMessage {
        let status = Int(try reader.readInt())
        guard status > 0 else { throw AJPError(.invalidStatus, "status 0") }
        let reason = try reader.readString()
        let count = Int(try reader.readInt())
        let headers = try AJPHeaderList.read(count, from: &reader)
        return .sendHeaders(status: status, reason: reason, headers: headers)
    }
}
