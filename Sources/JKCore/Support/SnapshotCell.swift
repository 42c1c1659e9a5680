import CJKCore
import Glibc

/// A reference that can be replaced while other threads read it, with no lock on the read side.
///
/// Readers get the current value with one atomic load. A replaced value is not released: the cell
/// keeps every value it ever published until the cell itself goes away (with the configuration, at
/// the next graceful restart), so a reader that loaded the old value a moment before a swap can go
/// on using it. Values are replaced only by status-worker edits, which are rare and made by people,
/// so the retained list stays short.
public final class SnapshotCell<Value: AnyObject>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Every published value, oldest first; guarded by `mutex`.
    private var published: [Value]

    /// A cell holding `initial`.
    public init(_ initial: Value) {
        published = [initial]
        storage = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
        storage.initialize(to: Unmanaged.passUnretained(initial).toOpaque())
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        storage.deallocate()
    }

    /// The value published last.
    @inline(__always)
    public var current: Value {
        // The pointer is never nil: it was initialised with a value and only replaced by values.
        let raw = sjk_atomic_load_pointer(storage).unsafelyUnwrapped
        return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Runs `body` on the current value without retaining it (the cell keeps it alive).
    @inline(__always)
    public func withCurrent<R>(_ body: (Value) -> R) -> R {
        let raw = sjk_atomic_load_pointer(storage).unsafelyUnwrapped
        return Unmanaged<Value>.fromOpaque(raw)._withUnsafeGuaranteedRef(body)
    }

    /// Makes `value` the current value; readers see it from their next `current`.
    public func publish(_ value: Value) {
        pthread_mutex_lock(mutex)
        published.append(value)
        sjk_atomic_store_pointer(storage, Unmanaged.passUnretained(value).toOpaque())
        pthread_mutex_unlock(mutex)
    }

    /// How many values were published (the initial one included).
    public var publishedCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return published.count
    }
}
