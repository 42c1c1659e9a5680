/// One text to read: a `JkWorkerProperty` line (file = the httpd conf file, firstLine = its line) or the
/// `JkWorkersFile` contents.
///
/// The two kinds differ in two ways, both taken from mod_jk 1.2.48:
/// - a `JkWorkerProperty` argument reaches mod_jk's line reader without comment stripping (httpd passes
///   the raw argument), so `JkWorkerProperty worker.w1.secret=abc#def` keeps `abc#def`, while the same
///   line in the workers file yields `abc`;
/// - the built-in `ServerRoot` property is inserted after the last directive and before the file.
///
/// `init(file:text:firstLine:)` makes a workers-file source; the C side passes `.directive` for every
/// `JkWorkerProperty` argument.
public struct PropertySource: Sendable {
    /// Where a text came from.
    public enum Kind: Sendable, Hashable {
        /// The argument of one `JkWorkerProperty` directive, read without comment stripping.
        case directive
        /// The contents of the `JkWorkersFile` (or any properties text read with the file rules).
        case workersFile
    }

    /// The file name used in diagnostics: the httpd conf file for a directive, the workers file otherwise.
    public var file: String
    /// The text itself: one directive argument, or a whole file.
    public var text: String
    /// The 1-based line number of the first line of `text` in `file`.
    public var firstLine: Int
    /// Directive or workers file.
    public var kind: Kind

    /// Creates a source; without `kind` it is read with the workers-file rules.
    public init(file: String, text: String, firstLine: Int) {
        self.init(file: file, text: text, firstLine: firstLine, kind: .workersFile)
    }

    /// Creates a source of the given kind.
    public init(file: String, text: String, firstLine: Int, kind: Kind) {
        self.file = file
        self.text = text
        self.firstLine = firstLine
        self.kind = kind
    }

    /// The argument of one `JkWorkerProperty` directive found at `file:line`.
    public static func directive(_ argument: String, file: String, line: Int) -> PropertySource {
        PropertySource(file: file, text: argument, firstLine: line, kind: .directive)
    }

    /// The whole contents of the workers file `file`.
    public static func workersFile(_ contents: String, file: String) -> PropertySource {
        PropertySource(file: file, text: contents, firstLine: 1, kind: .workersFile)
    }
}

/// One line of a source, as read by `SourceLineReader`.
struct SourceLine {
    /// The property on the line, or nil for blank, comment and `=`-less lines.
    var property: PropertyLine?
    /// The raw bytes of the line (without the newline).
    var raw: Substring
    /// Where the line is.
    var location: SourceLocation
    /// True for the second and later parts of a workers-file line longer than mod_jk's line buffer.
    var isContinuationOfLongLine = false
}

/// Splits a `PropertySource` into lines with the rules of its kind.
enum SourceLineReader {
    /// mod_jk refuses a `JkWorkerProperty` argument longer than this many bytes.
    static let maximumDirectiveLength = 8192

    /// mod_jk reads the workers file with `fgets` into an 8192-byte buffer: at most 8191 bytes at a time,
    /// so a longer line is read as several lines.
    static let fileReadSize = 8191

    /// Every line of `source`, with its property if it has one.
    static func lines(of source: PropertySource) -> [SourceLine] {
        var result: [SourceLine] = []
        var lineNumber = source.firstLine
        for raw in source.text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let location = SourceLocation(file: source.file, line: lineNumber)
            switch source.kind {
            case .workersFile:
                for (index, part) in fileReadParts(raw).enumerated() {
                    let text = Substring(part)
                    result.append(SourceLine(property: PropertyLineParser.parseLine(text, location: location),
                                             raw: text, location: location, isContinuationOfLongLine: index > 0))
                }
            case .directive:
                let text = Substring(raw)
                result.append(SourceLine(property: directiveProperty(text, location: location), raw: text,
                                         location: location))
            }
            lineNumber = lineNumber &+ 1
        }
        return result
    }

    /// What `fgets` and the C string functions make of one file line: the bytes before any NUL, in parts
    /// of at most `fileReadSize` bytes (an empty last part is dropped: it would be a blank line).
    static func fileReadParts(_ line: Substring.UTF8View) -> [Substring.UTF8View] {
        var parts: [Substring.UTF8View] = []
        var start = line.startIndex
        while start < line.endIndex {
            let end = line.index(start, offsetBy: fileReadSize, limitedBy: line.endIndex) ?? line.endIndex
            var part = line[start..<end]
            if let nul = part.firstIndex(of: 0) { part = part[..<nul] }
            parts.append(part)
            start = end
        }
        return parts.isEmpty ? [line] : parts
    }

    /// Steps 2–4 of the line rules without step 1: `#` is an ordinary character in a directive.
    static func directiveProperty(_ raw: Substring, location: SourceLocation) -> PropertyLine? {
        let content = raw.utf8[...]
        guard let equals = content.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let key = PropertyLineParser.trimmed(content[..<equals])
        let value = PropertyLineParser.trimmed(content[content.index(after: equals)...])
        guard !key.isEmpty, !value.isEmpty else { return nil }
        return PropertyLine(key: String(decoding: key, as: UTF8.self),
                            value: String(decoding: value, as: UTF8.self),
                            location: location)
    }

    /// For a workers-file line whose value was cut by a `#` glued to it (`secret=abc#def`), the text
    /// that mod_jk dropped (`#def`); nil when the `#` follows whitespace or there is none.
    static func valueCutAtHash(_ line: SourceLine) -> String? {
        guard line.property != nil else { return nil }
        let bytes = line.raw.utf8
        guard let hash = bytes.firstIndex(of: UInt8(ascii: "#")), hash != bytes.startIndex else { return nil }
        let before = bytes[bytes.index(before: hash)]
        guard !PropertyLineParser.isSpace(before), before != UInt8(ascii: "=") else { return nil }
        let dropped = PropertyLineParser.trimmed(bytes[hash...])
        return String(decoding: dropped, as: UTF8.self)
    }

    /// For a workers-file line `key=#text` that mod_jk ignores because the comment leaves the value empty,
    /// the key; nil otherwise (also for `key= # note`, where the `#` is visibly a comment).
    static func keyEmptiedByHash(_ line: SourceLine) -> String? {
        guard line.property == nil else { return nil }
        let bytes = line.raw.utf8
        guard let hash = bytes.firstIndex(of: UInt8(ascii: "#")), hash != bytes.startIndex else { return nil }
        let equals = bytes.index(before: hash)
        guard bytes[equals] == UInt8(ascii: "=") else { return nil }
        let key = PropertyLineParser.trimmed(bytes[..<equals])
        guard !key.isEmpty, !key.contains(UInt8(ascii: "=")) else { return nil }
        return String(decoding: key, as: UTF8.self)
    }
}
