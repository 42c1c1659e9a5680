/// Why an attempt to serve a request on one AJP worker failed, and what the client sees when
/// it is the last attempt (reference §8.7).
public enum AJPFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// Worker contact disabled (unresolvable host or port 0).
    case disabled
    /// No free pool slot within connection_acquire_timeout.
    case poolExhausted
    /// Connecting failed (errno), or the connect CPing failed.
    case connectFailed(Int32)
    /// The prepost CPing got no CPONG.
    case pingFailed
    /// Sending the request failed.
    case sendFailed(Int32)
    /// No packet arrived within reply_timeout.
    case replyTimeout
    /// The backend closed the connection or a read failed.
    case backendClosed(Int32)
    /// The bytes were not AJP (bad magic, oversized or truncated packet).
    case protocolError(AJPError)
    /// The AJP content was malformed (unknown type or header code, duplicate headers, ...).
    case malformed(AJPError)
    /// The status is listed in fail_on_status.
    case failOnStatus(Int)

    /// The status the client gets when this is the final failure.
    public var httpStatus: Int32 {
        switch self {
        case .disabled, .poolExhausted, .connectFailed, .pingFailed, .sendFailed, .failOnStatus: return 503
        case .replyTimeout: return 504
        // Observed with mod_jk 1.2.48: a clean close before the reply gives 502, a reset (a read
        // error with errno set, e.g. ECONNRESET) gives 504 (Tests/integration/test_faults.py).
        case .backendClosed(let error): return error == 0 ? 502 : 504
        case .protocolError: return 502
        case .malformed: return 500
        }
    }

    /// True when the request reached the backend (recovery_options bit 1 applies).
    public var requestWasSent: Bool {
        switch self {
        case .disabled, .poolExhausted, .connectFailed, .pingFailed, .sendFailed: return false
        default: return true
        }
    }

    /// Text for the log.
    public var description: String {
        switch self {
        case .disabled: return "worker contact is disabled (host did not resolve or port 0)"
        case .poolExhausted: return "no free connection in the pool within connection_acquire_timeout"
        case .connectFailed(let error): return "connecting failed (errno \(error))"
        case .pingFailed: return "no CPONG before the request (prepost_timeout)"
        case .sendFailed(let error): return "sending the request failed (errno \(error))"
        case .replyTimeout: return "reply timeout: no packet within reply_timeout"
        case .backendClosed(let error): return "the backend closed the connection (errno \(error))"
        case .protocolError(let error): return "AJP protocol error: \(error)"
        case .malformed(let error): return "malformed AJP message: \(error)"
        case .failOnStatus(let status): return "status \(status) is listed in fail_on_status"
        }
    }
}
