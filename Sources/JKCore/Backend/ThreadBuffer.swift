import Glibc

/// One reusable request buffer per thread, so a request's packet buffers (two times
/// max_packet_size) cost neither a heap allocation nor a large stack frame per request.
///
/// The buffer is taken out of the thread's slot while a request uses it: a request nested on the
/// same thread (a sub-request issued by an output filter while the response is being written)
/// finds the slot empty and gets a buffer of its own, which is kept or freed when it ends.
/// A thread's buffer is freed when the thread exits.
enum ThreadBuffer {
    /// Bytes before the usable area: the capacity is stored there.
    private static let headerSize = 16

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { block in free(block) }
        return key
    }()

    /// Runs `body` with a buffer of at least `byteCount` bytes (uninitialised, 16-byte aligned);
    /// falls back to a temporary allocation when memory is short.
    static func with<R>(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        guard let block = take(byteCount: byteCount) else {
            return withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 16, body)
        }
        defer { give(block) }
        return body(block.bytes)
    }

    /// A buffer taken out of the thread's slot; hand it back with `give`.
    struct Block {
        fileprivate let base: UnsafeMutableRawPointer
        /// The usable bytes.
        let bytes: UnsafeMutableRawBufferPointer
    }

    /// Takes the thread's buffer (or a new one) of at least `byteCount` bytes for one request,
    /// without a closure, so a caller's locals need no context; nil when memory is short. Every
    /// block taken must be given back with `give` on the same thread.
    static func take(byteCount: Int) -> Block? {
        let key = Self.key
        var block = pthread_getspecific(key)
        if let taken = block {
            pthread_setspecific(key, nil)
            if taken.load(as: Int.self) < byteCount {
                free(taken)
                block = nil
            }
        }
        if block == nil, let fresh = malloc(byteCount &+ headerSize) {
            fresh.storeBytes(of: byteCount, as: Int.self)
            block = fresh
        }
        guard let block else { return nil }
        return Block(base: block, bytes: UnsafeMutableRawBufferPointer(start: block + headerSize, count: byteCount))
    }

    /// Puts a taken block back into the thread's slot (or frees it when a nested request already
    /// put one there).
    static func give(_ block: Block) {
        if pthread_getspecific(key) == nil {
            pthread_setspecific(key, block.base)
        } else {
            free(block.base)
        }
    }
}
