/// One `key=value` line of a workers.properties or uriworkermap.properties text, after the
/// line rules of mod_jk 1.2.48 (reference §6.2 steps 1–4) have been applied.
public struct PropertyLine: Hashable, Sendable {
    /// The key, trimmed. Never empty.
    public var key: String
    /// The value, trimmed, with any comment removed. Never empty.
    public var value: String
    /// Where the line was read.
    public var location: SourceLocation

    /// Creates a line.
    public init(key: String, value: String, location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}

/// Splits a properties text into `PropertyLine`s exactly as mod_jk does:
///
/// 1. everything from the first `#` anywhere on the line is a comment (also inside values:
///    `secret=abc#def` yields `abc`); there is no escaping or quoting;
/// 2. surrounding whitespace (space, tab, CR, LF, VT, FF) is trimmed; blank lines are skipped;
/// 3. the line is split at the first `=`; a line without `=` is ignored;
/// 4. key and value are trimmed; an empty key or an empty value ignores the line.
///
/// There is no line continuation: a trailing `\` stays part of the value.
public enum PropertyLineParser {
    /// Parses `text`, numbering lines from `firstLine` and naming them after `file`.
    public static func parse(_ text: String, file: String, firstLine: Int = 1) -> [PropertyLine] {
        var lines: [PropertyLine] = []
        var lineNumber = firstLine
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            defer { lineNumber += 1 }
            if let line = parseLine(Substring(raw), location: SourceLocation(file: file, line: lineNumber)) {
                lines.append(line)
            }
        }
        return lines
    }

    /// Applies the line rules to one line; nil when the line carries no property.
    public static func parseLine(_ raw: Substring, location: SourceLocation) -> PropertyLine? {
        var content = raw.utf8[...]
        if let hash = content.firstIndex(of: UInt8(ascii: "#")) {
            content = content[..<hash]
        }
        guard let equals = content.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let key = trimmed(content[..<equals])
        let value = trimmed(content[content.index(after: equals)...])
        guard !key.isEmpty, !value.isEmpty else { return nil }
        return PropertyLine(key: String(decoding: key, as: UTF8.self),
                            value: String(decoding: value, as: UTF8.self),
                            location: location)
    }

    /// True for the bytes C's `isspace` accepts in the "C" locale.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// `bytes` without leading and trailing `isSpace` bytes.
    static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        var slice = bytes
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }
}
