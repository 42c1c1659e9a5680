/// How one attempt on an lb member ended, as the I/O driver reports it (mod_jk's `service_stat`
/// of the member worker, reference §9.8). The driver maps the AJP layer's outcome:
///
/// | Case | mod_jk code | Typical cause |
/// |---|---|---|
/// | `success` | `JK_TRUE` | the response was relayed |
/// | `clientError` | `JK_CLIENT_ERROR` | client aborted, 400, 413 (request too large for the packet) |
/// | `softFailOnStatus` | `JK_STATUS_ERROR` | status listed in fail_on_status with a minus sign |
/// | `noFreeEndpoint` | (get_endpoint failed) | no pool connection within connection_acquire_timeout |
/// | `busy` | `JK_BUSY_ERROR` | busy_limit reached (`WorkerSlotAccounting` reports it) |
/// | `hardFailOnStatus` | `JK_STATUS_FATAL_ERROR` | status listed in fail_on_status |
/// | `replyTimeout` | `JK_REPLY_TIMEOUT` | no packet within reply_timeout |
/// | `protocolError` | `JK_AJP_PROTOCOL_ERROR` | bytes were not valid AJP |
/// | `internalError` | `JK_SERVER_ERROR` | internal error of the connector (allocation, ...) |
/// | `failure` | `JK_FALSE`, `JK_FATAL_ERROR`, ... | connect refused, reset, CPing failed, ... |
public enum AttemptResult: Sendable, Equatable, CaseIterable {
    /// The response was relayed.
    case success
    /// Connecting to the member was refused or timed out (SwiftJK; `failure` in mod_jk): with
    /// `connect_errors_global` the member goes to ERR for every child at once.
    case connectFailure
    /// The client failed or sent a bad request: never failed over.
    case clientError
    /// A status listed in `fail_on_status` with a minus sign: try another member, member stays OK.
    case softFailOnStatus
    /// No free pool endpoint (before anything was sent).
    case noFreeEndpoint
    /// `busy_limit` reached.
    case busy
    /// A status listed in `fail_on_status`: member set to ERR.
    case hardFailOnStatus
    /// Reply timeout.
    case replyTimeout
    /// Invalid AJP from the backend.
    case protocolError
    /// Internal connector error.
    case internalError
    /// Any other failure.
    case failure
}

/// Everything the driver reports about one finished attempt.
public struct AttemptReport: Sendable, Equatable {
    /// How it ended.
    public var result: AttemptResult
    /// For failures: whether the request may still go to another member (mod_jk's
    /// `end->recoverable`: false once request body packets beyond the first were streamed, or
    /// when `recovery_options` forbid it). Ignored for `success` and `clientError`, which always
    /// end the request.
    public var recoverable: Bool
    /// The HTTP status the client gets if this attempt turns out to be the last one (503 for
    /// busy/fail_on_status/connect failures, 504 reply timeout, 502 protocol error, ...).
    public var status: Int32
    /// Reply timeouts the member's ajp worker met during this attempt, over all its own retries
    /// (each one counts toward `max_reply_timeouts`).
    public var replyTimeouts: Int
    /// Bytes received from the backend (Traffic method, statistics).
    public var bytesReceived: UInt64
    /// Bytes sent to the backend (Traffic method, statistics).
    public var bytesSent: UInt64

    /// Creates a report.
    public init(result: AttemptResult, recoverable: Bool = true, status: Int32 = 503, replyTimeouts: Int = 0,
                bytesReceived: UInt64 = 0, bytesSent: UInt64 = 0) {
        self.result = result
        self.recoverable = recoverable
        self.status = status
        self.replyTimeouts = replyTimeouts
        self.bytesReceived = bytesReceived
        self.bytesSent = bytesSent
    }
}
