import CJKCore
import Glibc

/// The metrics an ajp13 worker keeps in its shared slot, beyond mod_jk's counters: backend
/// responses by status class, failed attempts by kind, retries, and response-time histograms
/// (time to the first backend packet and to the end of the exchange). Atomic updates, no lock;
/// nothing is recorded without shared memory.
struct WorkerMetrics {
    private let slot: UnsafeMutablePointer<sjk_slot_t>?

    /// Metrics of the worker owning `slot`.
    @inline(__always)
    init(_ slot: UnsafeMutablePointer<sjk_slot_t>?) {
        self.slot = slot
    }

    /// Upper bounds of the histogram buckets in microseconds (the last bucket is +Inf).
    static let bucketBoundsUs: [Int64] = [5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
                                           2_500_000, 5_000_000, 10_000_000]

    /// The same bounds in seconds, as Prometheus `le` labels.
    static let bucketLabels = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]

    /// A retry on the same worker.
    func countRetry() {
        guard let slot else { return }
        sjk_atomic_add_u64(&slot.pointee.retries, 1)
    }

    /// A failed attempt.
    func countFailure(_ failure: AJPFailure) {
        guard let slot else { return }
        sjk_slot_count(slot, SJK_COUNT_FAILURES, Int64(Self.kind(of: failure)))
    }

    /// The request ended on this worker without a retryable failure: its status class or client
    /// abort, and its times.
    func finished(_ result: ForwardResult, stats: ForwardStats) {
        guard let slot else { return }
        switch result {
        case .completed(let status), .serverErrorPage(let status):
            let index = status / 100 - 1
            sjk_slot_count(slot, SJK_COUNT_RESPONSES, Int64(index))
        case .clientError:
            sjk_slot_count(slot, SJK_COUNT_FAILURES, Int64(SJK_FAIL_CLIENT_ABORT))
        case .abortedMidResponse(let failure), .failed(let failure, _):
            sjk_slot_count(slot, SJK_COUNT_FAILURES, Int64(Self.kind(of: failure)))
        }
        guard stats.startUs > 0 else { return }
        let now = BackendSocket.nowUs()
        let total = max(now &- stats.startUs, 0)
        sjk_slot_count(slot, SJK_COUNT_TOTAL, Int64(Self.bucket(total)))
        sjk_atomic_add_u64(&slot.pointee.total_sum_us, UInt64(total))
        if stats.firstByteUs > 0 {
            let first = max(stats.firstByteUs &- stats.startUs, 0)
            sjk_slot_count(slot, SJK_COUNT_FIRST_BYTE, Int64(Self.bucket(first)))
            sjk_atomic_add_u64(&slot.pointee.first_byte_sum_us, UInt64(first))
        }
    }

    /// The bucket index of a duration.
    static func bucket(_ microseconds: Int64) -> Int {
        var index = 0
        while index < bucketBoundsUs.count, microseconds > bucketBoundsUs[index] { index += 1 }
        return index
    }

    /// The failure kind (`SJK_FAIL_*`) of an attempt's failure.
    static func kind(of failure: AJPFailure) -> Int {
        switch failure {
        case .connectFailed(let error):
            switch error {
            case 0: Int(SJK_FAIL_CPING)
            case ETIMEDOUT, EINPROGRESS, EAGAIN: Int(SJK_FAIL_CONNECT_TIMEOUT)
            default: Int(SJK_FAIL_CONNECT_REFUSED)
            }
        case .pingFailed: Int(SJK_FAIL_CPING)
        case .replyTimeout: Int(SJK_FAIL_REPLY_TIMEOUT)
        case .sendFailed, .backendClosed: Int(SJK_FAIL_RESET)
        case .protocolError, .malformed: Int(SJK_FAIL_PROTOCOL)
        case .disabled, .poolExhausted, .failOnStatus: Int(SJK_FAIL_OTHER)
        }
    }
}
