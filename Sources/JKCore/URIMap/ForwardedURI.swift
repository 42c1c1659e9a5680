/// The re-encodings of the decoded `r->uri` that JkOptions ForwardURIProxy and ForwardURIEscaped
/// send to the backend as `req_uri` (reference §3.5). Both take the URI as httpd decoded it,
/// *before* SwiftJK's normalisation, so `;jsessionid=...` path parameters still reach Tomcat.
///
/// The two keep the same bytes as they are: ASCII letters and digits and ``~$-_.+!*'(),;:@&=/``
/// (mod_jk's `jk_canonenc` and httpd's `T_OS_ESCAPE_PATH` table agree on this set since httpd 2.4.25
/// stopped escaping `;`). They differ only in the case of the hex digits of `%XX`.
///
/// The C functions stop at a NUL byte (end of the C string); httpd never puts one in `r->uri`. Here a
/// NUL is encoded as `%00` like any other byte, so nothing is silently cut off.
public enum ForwardedURI {
    /// ForwardURIProxy (the default): mod_jk's `jk_canonenc`, upper-case hex.
    /// `/app/a b` → `/app/a%20b`, `/a%b` → `/a%25b`, `/x;jsessionid=Z` unchanged.
    public static func proxyEncoded(_ uri: some Collection<UInt8>) -> [UInt8] {
        encode(uri, hexDigits: upperHex)
    }

    /// ForwardURIEscaped: httpd's `ap_escape_uri` (`ap_os_escape_path(p, uri, 1)`), lower-case hex.
    /// `/app/a b` → `/app/a%20b`, `/é` → `/%c3%a9`.
    public static func escaped(_ uri: some Collection<UInt8>) -> [UInt8] {
        encode(uri, hexDigits: lowerHex)
    }

    /// Hex digits of ForwardURIProxy (mod_jk's `jk_canonenc`).
    static let upperHex: StaticString = "0123456789ABCDEF"
    /// Hex digits of ForwardURIEscaped (httpd's `ap_escape_uri`).
    static let lowerHex: StaticString = "0123456789abcdef"

    /// True for the bytes both encoders copy unchanged.
    @inline(__always)
    static func isKept(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "A") ... UInt8(ascii: "Z"),
             UInt8(ascii: "0") ... UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "~"), UInt8(ascii: "$"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: "+"), UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "@"),
             UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    /// Copies kept bytes and writes every other byte as `%` and two hex digits from `hexDigits`.
    private static func encode(_ uri: some Collection<UInt8>, hexDigits: StaticString) -> [UInt8] {
        var escapes = 0
        for byte in uri where !isKept(byte) { escapes &+= 1 }
        var output: [UInt8] = []
        output.reserveCapacity(uri.count &+ 2 &* escapes)
        hexDigits.withUTF8Buffer { hex in
            for byte in uri {
                if isKept(byte) {
                    output.append(byte)
                } else {
                    output.append(UInt8(ascii: "%"))
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0x0F)])
                }
            }
        }
        return output
    }
}
