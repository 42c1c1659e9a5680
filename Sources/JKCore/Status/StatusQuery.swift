/// The parameters of one status-worker request, read from the query string exactly as mod_jk
/// 1.2.48 reads them (status-worker.md §1.1, §1.3): pairs split on `&`, a pair without `=` is
/// dropped, the value is percent-decoded and every `<`, `>`, `?`, `"` (and NUL) in it becomes `@`,
/// and the last of repeated keys wins. The request body is never read.
public struct StatusQuery: Sendable, Equatable {
    /// Every parameter by name (after decoding and masking).
    public private(set) var parameters: [String: String] = [:]

    /// The characters mod_jk replaces by `@` in values (`JK_STATUS_ESC_CHARS`), plus NUL.
    static let maskedBytes: Set<UInt8> = [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "?"),
                                          UInt8(ascii: "\""), 0]

    /// Values longer than this are cut (mod_jk copies into fixed buffers of this order).
    static let maximumValueLength = 1024

    /// Parses `query` (the part after `?`, absent: no parameters).
    public init(_ query: String?) {
        guard let query else { return }
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: pair[pair.startIndex..<equals], as: UTF8.self)
            guard !key.isEmpty else { continue }
            let raw = pair[pair.index(after: equals)...]
            parameters[key] = Self.decode(raw)
        }
    }

    /// Creates a query from already decoded parameters (tests, HTML forms).
    public init(parameters: [String: String]) {
        self.parameters = parameters
    }

    /// The value of `key`, nil when absent.
    public subscript(_ key: String) -> String? { parameters[key] }

    /// The value of `key` as an integer (mod_jk's `atoi`: leading digits, 0 when none).
    public func integer(_ key: String) -> Int? {
        guard let value = parameters[key] else { return nil }
        return StatusQuery.atoi(value)
    }

    /// C `atoi`: optional blanks and sign, then digits; stops at the first other byte; 0 when none;
    /// clamps instead of overflowing.
    static func atoi(_ text: String) -> Int {
        var bytes = text.utf8[...]
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return negative ? Int(Int32.min) : Int(Int32.max) }
            value = sum
        }
        value = negative ? -value : value
        return min(max(value, Int(Int32.min)), Int(Int32.max))
    }

    /// Percent-decodes `raw` (an invalid escape stays as it is) and masks the dangerous bytes.
    static func decode(_ raw: Substring.UTF8View.SubSequence) -> String {
        decode(Array(raw))
    }

    static func decode<C: Collection<UInt8>>(_ raw: C) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index != raw.endIndex, out.count < maximumValueLength {
            let byte = raw[index]
            var decoded = byte
            if byte == UInt8(ascii: "%") {
                let first = raw.index(after: index)
                if first != raw.endIndex, raw.index(after: first) != raw.endIndex,
                   let high = hexValue(raw[first]), let low = hexValue(raw[raw.index(after: first)]) {
                    decoded = high << 4 | low
                    index = raw.index(after: first)
                }
            }
            out.append(maskedBytes.contains(decoded) ? UInt8(ascii: "@") : decoded)
            index = raw.index(after: index)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
