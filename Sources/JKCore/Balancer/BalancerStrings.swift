/// Immutable byte strings of one balancer (routes, domains, redirects, session names, Set-Cookie
/// values) in one allocation made at configuration time, so that the request path can hand out
/// borrowed views (`UnsafeRawBufferPointer`) that stay valid for as long as the configuration
/// lives — e.g. `sjk_outcome_t.route`, "borrowed from the configuration".
///
/// Never mutated after `init`; safe to read from any thread.
final class BalancerStrings: @unchecked Sendable {
    /// A string stored in the buffer.
    struct Handle: Sendable, Equatable {
        /// Byte offset in the buffer.
        var offset: Int
        /// Length in bytes.
        var count: Int
    }

    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `strings` into one allocation; the handles are returned in the same order.
    init(_ strings: [[UInt8]], handles: inout [Handle]) {
        var total = 0
        for string in strings { total = total.addingClamped(string.count) }
        // Always allocate at least one byte so every view has a non-nil base address.
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 1)
        handles.removeAll(keepingCapacity: true)
        var offset = 0
        for string in strings {
            let count = min(string.count, storage.count - offset)
            if count > 0 {
                string.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: storage[offset..<offset + count])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count]))
                }
            }
            handles.append(Handle(offset: offset, count: count))
            offset += count
        }
    }

    deinit { storage.deallocate() }

    /// The bytes of `handle`, valid while this object lives.
    func bytes(_ handle: Handle) -> UnsafeRawBufferPointer {
        guard handle.offset >= 0, handle.count >= 0, handle.offset <= storage.count,
              handle.count <= storage.count - handle.offset else {
            return UnsafeRawBufferPointer(rebasing: storage[0..<0])
        }
        return UnsafeRawBufferPointer(rebasing: storage[handle.offset..<handle.offset + handle.count])
    }
}
