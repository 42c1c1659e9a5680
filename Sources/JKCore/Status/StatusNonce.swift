import CJKCore
import Glibc

/// The token the HTML page's forms carry, so a form post is accepted only from a page this server
/// rendered. It is drawn once per configuration in the parent and kept in the shared segment
/// header, so every child renders and accepts the same token.
public enum StatusNonce {
    /// Fills the header's nonce with random bytes (parent, before fork).
    static func generate(into header: UnsafeMutablePointer<sjk_shm_header_t>) {
        withUnsafeMutableBytes(of: &header.pointee.nonce) { bytes in
            guard let base = bytes.baseAddress else { return }
            let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            let got = fd >= 0 ? read(fd, base, bytes.count) : -1
            if fd >= 0 { close(fd) }
            if got != bytes.count {
                // No entropy source: mix the time and the pid (still unguessable enough for a
                // same-origin check, which does not rely on it alone).
                var seed = UInt64(truncatingIfNeeded: WallClock.seconds()) ^ UInt64(getpid()) << 32
                for index in 0..<bytes.count {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    bytes[index] = UInt8(truncatingIfNeeded: seed >> 33)
                }
            }
        }
    }

    /// The nonce as hex, or "" without shared memory.
    static func value(_ registry: Registry) -> String {
        guard let header = registry.segment?.header else { return "" }
        return withUnsafeBytes(of: &header.pointee.nonce) { bytes in
            bytes.map { byte in
                let digits = Array("0123456789abcdef".utf8)
                return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
            }.joined()
        }
    }

    /// True when `candidate` is this configuration's nonce.
    static func matches(_ candidate: String?, registry: Registry) -> Bool {
        let expected = value(registry)
        guard let candidate, !expected.isEmpty, candidate.utf8.count == expected.utf8.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(candidate.utf8, expected.utf8) { difference |= a ^ b }
        return difference == 0
    }
}
