/// Reads a uriworkermap.properties text (JkMountFile, reference §5.5) into mount rules, the way
/// mod_jk 1.2.48's `uri_worker_map_load` does:
///
/// * lines follow the shared properties rules (`PropertyLineParser`: `#` starts a comment anywhere,
///   whitespace trimmed, first `=` splits, empty key or value ignored, no line continuation);
/// * `$(name)` in a value is replaced by the value of an earlier line whose key is exactly `name`,
///   else by the environment variable `name` (when an `environment` is given), else left as is; at
///   most 21 references per value are looked at and an unterminated `$(` ends the scan;
/// * a key given twice: the later value replaces the earlier one (`duplicate-mount` warning); keys
///   are compared byte for byte, prefixes included (`/a` and `!/a` are different keys);
/// * every key/value becomes rules through `MountRule.parse` with source `.mountFile` (so `-`, `!`
///   and `X|Y` work); an invalid rule is reported and skipped, the rest of the file still loads.
///
/// Not reproduced: mod_jk also applies the workers.properties attribute check to keys starting
/// with `worker.` (such a key stops reading the file); here such a key is just an invalid rule.
public enum MountFileParser {
    /// §5.5, duplicate keys: later wins + warning. No environment lookup for `$(name)`.
    public static func parse(_ text: String, file: String, log: inout DiagnosticLog) -> [MountRule] {
        parse(text, file: file, environment: { _ in nil }, log: &log)
    }

    /// §5.5 with an environment for `$(name)` references (mod_jk calls `getenv`); `environment`
    /// returns nil for an unset variable.
    public static func parse(_ text: String, file: String, environment: (String) -> String?,
                             log: inout DiagnosticLog) -> [MountRule] {
        var entries: [PropertyLine] = []
        var positions: [[UInt8]: Int] = [:]
        for line in PropertyLineParser.parse(text, file: file) {
            let value = substituteVariables(in: line.value, environment: environment) { name in
                positions[Array(name.utf8)].map { entries[$0].value }
            }
            let key = Array(line.key.utf8)
            if let existing = positions[key] {
                let previous = entries[existing]
                log.warning(.duplicateMount,
                            "duplicate key '\(line.key)' (first at \(previous.location)): the previous value "
                            + "'\(previous.value)' is overwritten with '\(value)'",
                            at: line.location)
                // jk_map_put keeps the first position and replaces the value.
                entries[existing] = PropertyLine(key: line.key, value: value, location: line.location)
            } else {
                positions[key] = entries.count
                entries.append(PropertyLine(key: line.key, value: value, location: line.location))
            }
        }
        var rules: [MountRule] = []
        for entry in entries {
            rules += MountRule.parse(pattern: entry.key, workerSpec: entry.value, source: .mountFile,
                                     location: entry.location, log: &log)
        }
        return rules
    }

    /// mod_jk's `jk_map_replace_properties`: replaces `$(name)` references, left to right, without
    /// re-scanning inserted text.
    static func substituteVariables(in value: String, environment: (String) -> String?,
                                    earlierProperty: (String) -> String?) -> String {
        let dollar = UInt8(ascii: "$")
        let open = UInt8(ascii: "(")
        let close = UInt8(ascii: ")")
        var bytes = Array(value.utf8)
        guard bytes.contains(dollar) else { return value }
        var searchFrom = 0
        var references = 0
        while let start = firstIndex(of: [dollar, open], in: bytes, from: searchFrom) {
            let end = bytes[start...].firstIndex(of: close)
            references += 1
            if references > 21 { break }
            guard let end else { break }
            let name = String(decoding: bytes[(start + 2) ..< end], as: UTF8.self)
            if let replacement = earlierProperty(name) ?? environment(name) {
                let inserted = Array(replacement.utf8)
                bytes.replaceSubrange(start ... end, with: inserted)
                searchFrom = start + inserted.count
            } else {
                searchFrom = end
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first index at or after `from` where `needle` (two bytes) starts.
    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count == 2, from >= 0 else { return nil }
        var index = from
        while index + 1 < bytes.count {
            if bytes[index] == needle[0], bytes[index + 1] == needle[1] { return index }
            index += 1
        }
        return nil
    }
}
