/// The value parsers of mod_jk 1.2.48 for workers.properties (reference §6.5), reproduced exactly,
/// including their surprises, plus the facts a caller needs to warn about them.
///
/// None of them can trap: numbers are accumulated with saturation and wrapped to 32 bits the way
/// glibc's `atoi` and C `int` arithmetic do on Linux.
public enum PropertyValueParser {
    /// The outcome of reading a number the 1.2.48 way.
    public struct IntegerReading: Hashable, Sendable {
        /// What mod_jk uses: `atoi(text)` times the multiplier of the last character, as a 32-bit `int`.
        public var value: Int
        /// True when the text is exactly `[+-]digits` optionally followed by one `k`/`K`/`m`/`M`.
        public var isWellFormed: Bool
        /// False when the number or its product with the multiplier does not fit a 32-bit `int` (mod_jk
        /// then wraps around).
        public var isInRange: Bool

        /// Creates a reading.
        public init(value: Int, isWellFormed: Bool, isInRange: Bool) {
            self.value = value
            self.isWellFormed = isWellFormed
            self.isInRange = isInRange
        }
    }

    /// `jk_map_get_int` of 1.2.48: `atoi(text)` times 1024 when the **last** character is `k`/`K`, times
    /// 1048576 when it is `m`/`M`. Garbage reads as 0 (`abc` ⇒ 0, `abck` ⇒ 0), trailing garbage is
    /// ignored (`100ms` ⇒ 100, `1*2` ⇒ 1), and `12 k` ⇒ 12288.
    public static func integer(_ text: String) -> IntegerReading {
        let bytes = Array(text.utf8)
        var multiplier: Int32 = 1
        var suffixLength = 0
        switch bytes.last {
        case UInt8(ascii: "k"), UInt8(ascii: "K"): multiplier = 1024; suffixLength = 1
        case UInt8(ascii: "m"), UInt8(ascii: "M"): multiplier = 1_048_576; suffixLength = 1
        default: break
        }
        let parsed = atoi(bytes[...])
        let (product, overflow) = parsed.value.multipliedReportingOverflow(by: multiplier)
        let wellFormed = parsed.consumed > 0 && parsed.consumed == bytes.count - suffixLength
            && parsed.leadingSpace == 0
        return IntegerReading(value: Int(product), isWellFormed: wellFormed,
                              isInRange: parsed.isInRange && !overflow)
    }

    /// `jk_get_bool_code`: `off` (any case) or a first character `f F n N` or exactly `0` ⇒ false; `on` or
    /// a first character `t T y Y` or exactly `1` ⇒ true; anything else ⇒ nil (the attribute keeps its
    /// default). So `yes-please` ⇒ true and `2`, `10`, `enabled` ⇒ nil.
    public static func boolean(_ text: String) -> Bool? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { return nil }
        if equalsIgnoringCase(bytes, "off") || "fFnN".utf8.contains(first) || bytes == [UInt8(ascii: "0")] {
            return false
        }
        if equalsIgnoringCase(bytes, "on") || "tTyY".utf8.contains(first) || bytes == [UInt8(ascii: "1")] {
            return true
        }
        return nil
    }

    /// `jk_map_get_string_list`: the tokens of `text` separated by space, tab and comma; empty tokens are
    /// dropped (`a,,b c` ⇒ `a`, `b`, `c`).
    public static func list(_ text: String) -> [String] {
        text.utf8.split(whereSeparator: isListSeparator).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `jk_map_get_int_list` (used by `fail_on_status`): `atoi` of every list token, without the k/m
    /// multiplier. A token is well formed when it is exactly `[+-]digits`.
    public static func integerList(_ text: String) -> [IntegerReading] {
        list(text).map { token in
            let bytes = Array(token.utf8)
            let parsed = atoi(bytes[...])
            return IntegerReading(value: Int(parsed.value),
                                  isWellFormed: parsed.consumed > 0 && parsed.consumed == bytes.count,
                                  isInRange: parsed.isInRange)
        }
    }

    /// The case-insensitive first character decides; nil for an empty text.
    static func firstCharacter(_ text: String) -> UInt8? {
        guard let first = text.utf8.first else { return nil }
        return (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) ? first | 0x20 : first
    }

    /// True for the separators of `list`.
    static func isListSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: ",")
    }

    /// The result of `atoi` on Linux: `(int)strtol(text, NULL, 10)`.
    struct ATOIResult {
        /// The value after the conversion of the `long` result to `int` (truncating).
        var value: Int32
        /// Number of bytes from the start that form `[space][sign]digits`, 0 when there are no digits.
        var consumed: Int
        /// Number of leading white-space bytes skipped.
        var leadingSpace: Int
        /// False when `strtol` saturated or the `long` did not fit an `int`.
        var isInRange: Bool
    }

    /// glibc `atoi`: skips `isspace`, takes an optional sign and decimal digits, saturates at the 64-bit
    /// `long` limits, then keeps the low 32 bits.
    static func atoi(_ bytes: ArraySlice<UInt8>) -> ATOIResult {
        var index = bytes.startIndex
        while index < bytes.endIndex, PropertyLineParser.isSpace(bytes[index]) { index += 1 }
        let leadingSpace = index - bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var magnitude: UInt64 = 0
        var saturated = false
        let digitsStart = index
        while index < bytes.endIndex, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let digit = UInt64(bytes[index] - UInt8(ascii: "0"))
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            if o1 || o2 || sum > UInt64(Int64.max) + (negative ? 1 : 0) {
                saturated = true
                magnitude = UInt64(Int64.max) + (negative ? 1 : 0)
            } else if !saturated {
                magnitude = sum
            }
            index += 1
        }
        guard index > digitsStart else {
            return ATOIResult(value: 0, consumed: 0, leadingSpace: leadingSpace, isInRange: true)
        }
        let long: Int64 = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(truncatingIfNeeded: magnitude)
        let value = Int32(truncatingIfNeeded: long)
        return ATOIResult(value: value, consumed: index - bytes.startIndex, leadingSpace: leadingSpace,
                          isInRange: !saturated && Int64(value) == long)
    }

    /// True when `bytes` spells `word` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: [UInt8], _ word: String) -> Bool {
        let lower = bytes.map { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) ? $0 | 0x20 : $0 }
        return lower.elementsEqual(word.utf8)
    }
}

/// 32-bit C `int` arithmetic for the derived defaults of mod_jk (`socket_timeout * 1000`,
/// `retries * retry_interval`, …): inputs are the 32-bit values the parsers produce and results wrap as
/// they do in mod_jk on Linux, so no input can trap.
enum CIntArithmetic {
    /// `a * b` with 32-bit wrap-around.
    static func multiply(_ a: Int, _ b: Int) -> Int {
        Int(Int32(truncatingIfNeeded: a) &* Int32(truncatingIfNeeded: b))
    }

    /// `a + b` with 32-bit wrap-around.
    static func add(_ a: Int, _ b: Int) -> Int {
        Int(Int32(truncatingIfNeeded: a) &+ Int32(truncatingIfNeeded: b))
    }

    /// `a / b` (truncating toward zero) for a positive constant `b`.
    static func divide(_ a: Int, by b: Int32) -> Int {
        Int(Int32(truncatingIfNeeded: a) / b)
    }
}
