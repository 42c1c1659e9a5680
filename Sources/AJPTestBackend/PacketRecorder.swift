import Glibc
import Synchronization

/// The JSONL sink shared by all connection threads. Each line is written with one `write(2)` on
/// an `O_APPEND` descriptor while holding the lock, so lines never interleave and are on disk
/// (in the page cache) as soon as `record` returns — tests may read the file at any moment.
final class PacketRecorder: Sendable {
    /// The descriptor, or -1 when recording is off. Guarded by the mutex for the write.
    private let file: Mutex<Int32>

    /// A recorder appending to `path`; a disabled recorder when `path` is nil.
    init(path: String?) throws(Listener.SetupError) {
        guard let path else {
            file = Mutex(-1)
            return
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Listener.SetupError(description: "cannot open record file \(path): \(Listener.lastError)")
        }
        file = Mutex(fd)
    }

    /// False when `--record` was not given (callers may skip building JSON).
    var isEnabled: Bool { file.withLock { $0 >= 0 } }

    /// Appends `value` as one line.
    func record(_ value: JSONValue) {
        let line = Array((value.serialized + "\n").utf8)
        file.withLock { fd in
            guard fd >= 0 else { return }
            var written = 0
            while written < line.count {
                let result = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
                if result > 0 {
                    written += result
                } else if !(result < 0 && errno == EINTR) {
                    return
                }
            }
        }
    }
}
