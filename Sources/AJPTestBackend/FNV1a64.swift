/// The 64-bit FNV-1a hash, used by the `/echo` script to fingerprint a request body so tests
/// can compare what arrived with what the client sent without echoing megabytes back.
///
/// Offset basis 0xcbf29ce484222325, prime 0x100000001b3. Empty input hashes to
/// `cbf29ce484222325`; `"a"` to `af63dc4c8601ec8c`.
struct FNV1a64 {
    /// The hash of everything fed so far.
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Starts an empty hash.
    init() {}

    /// Feeds `bytes` into the hash.
    mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    /// The hash as 16 lower-case hexadecimal digits.
    var hexDigits: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
