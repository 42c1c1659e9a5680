import CJKCore

extension sjk_str_t {
    /// A view of a string literal, valid for the life of the program.
    public init(_ literal: StaticString) {
        self.init(ptr: UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self),
                  len: literal.utf8CodeUnitCount)
    }

    /// A view of borrowed bytes; nil makes the absent (null) string.
    public init(_ bytes: UnsafeRawBufferPointer?) {
        guard let bytes else {
            self.init(ptr: nil, len: 0)
            return
        }
        // A non-nil view must have a non-nil pointer even when empty: "" is not null.
        let base = bytes.baseAddress ?? UnsafeRawPointer(sjk_str_t.emptyStorage.utf8Start)
        self.init(ptr: base.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }

    private static let emptyStorage: StaticString = ""

    /// The absent string.
    public static var absent: sjk_str_t { sjk_str_t(ptr: nil, len: 0) }

    /// True when the string is absent (NULL pointer).
    public var isAbsent: Bool { ptr == nil }

    /// True when absent or empty.
    public var isAbsentOrEmpty: Bool { ptr == nil || len == 0 }

    /// The bytes, or nil when absent.
    public var bytes: UnsafeRawBufferPointer? {
        guard let ptr else { return nil }
        return UnsafeRawBufferPointer(start: ptr, count: len)
    }

    /// The bytes, or nil when absent or empty.
    public var nonEmptyBytes: UnsafeRawBufferPointer? {
        guard let ptr, len > 0 else { return nil }
        return UnsafeRawBufferPointer(start: ptr, count: len)
    }

    /// A Swift String copy (config-time and log use only, not for hot paths).
    public var string: String? {
        guard let bytes else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
