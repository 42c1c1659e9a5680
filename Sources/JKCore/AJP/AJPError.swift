/// Why an AJP message could not be written or read.
///
/// Equality compares only `code`, so tests assert the kind of failure, not the wording.
public struct AJPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An open set of failure kinds.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// Stable identifier.
        public var rawValue: String
        /// Creates a code.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The identifier.
        public var description: String { rawValue }

        /// A message does not fit into `max_packet_size` (request side: HTTP 413).
        public static let messageTooLarge = Code("message-too-large")
        /// A packet from the container did not start with `AB`.
        public static let badMagic = Code("bad-magic")
        /// A packet declares a payload longer than the receive buffer (`max_packet_size - 4`).
        public static let packetTooLarge = Code("packet-too-large")
        /// A packet from the container has an empty payload.
        public static let emptyPacket = Code("empty-packet")
        /// A field runs past the end of the payload.
        public static let truncated = Code("truncated")
        /// A string is not followed by its 0x00 terminator.
        public static let missingTerminator = Code("missing-terminator")
        /// The prefix byte names no message the web server accepts.
        public static let unknownMessageType = Code("unknown-message-type")
        /// A coded response header name outside 0xA001...0xA00B.
        public static let unknownHeaderCode = Code("unknown-header-code")
        /// A response header whose name or value is the null string (FF FF).
        public static let nullHeader = Code("null-header")
        /// SEND_HEADERS with status 0.
        public static let invalidStatus = Code("invalid-status")
        /// SEND_BODY_CHUNK whose length exceeds its payload (CVE-2006-7197 class).
        public static let chunkLengthTooLarge = Code("chunk-length-too-large")
        /// A second SEND_HEADERS in one response.
        public static let duplicateHeaders = Code("duplicate-headers")
        /// A message that is valid on the wire but not at this point of the exchange.
        public static let unexpectedMessage = Code("unexpected-message")
        /// The container closed the connection or the read failed.
        public static let connectionClosed = Code("connection-closed")
    }

    /// What went wrong.
    public var code: Code
    /// Human-readable detail for the log.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// `code: detail`.
    public var description: String { detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)" }

    /// Errors are equal when their codes are equal.
    public static func == (lhs: AJPError, rhs: AJPError) -> Bool { lhs.code == rhs.code }
}
