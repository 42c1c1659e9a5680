extension AJPMessageWriter {
    /// Appends `uri` as an AJP string, percent-encoding every byte that `ForwardedURI` does not
    /// keep, straight into the packet (no intermediate array). Same bytes as
    /// `ForwardedURI.proxyEncoded` (upper-case hex) or `.escaped` (lower-case hex).
    public mutating func appendEncodedURI(_ uri: UnsafeRawBufferPointer, upperCaseHex: Bool) throws(AJPError) {
        var escapes = 0
        for byte in uri where !ForwardedURI.isKept(byte) { escapes &+= 1 }
        if escapes == 0 {
            try appendString(uri)
            return
        }
        let length = uri.count + 2 * escapes
        guard length < 0xFFFF, remaining >= length + 3 else {
            throw AJPError(.messageTooLarge, "no room for a \(length)-byte URI at \(count)")
        }
        try appendInt(UInt16(truncatingIfNeeded: length))
        let hex = upperCaseHex ? ForwardedURI.upperHex : ForwardedURI.lowerHex
        for byte in uri {
            if ForwardedURI.isKept(byte) {
                try appendByte(byte)
            } else {
                try appendByte(UInt8(ascii: "%"))
                try appendByte(hex.utf8Start[Int(byte >> 4)])
                try appendByte(hex.utf8Start[Int(byte & 0x0F)])
            }
        }
        try appendByte(0)
    }
}
