/// Reads the attributes of one worker from the property store the way mod_jk's `jk_get_worker_*`
/// functions do (`worker.<name>.<attribute>`, default when absent), and warns where the value is not
/// what mod_jk understands.
struct WorkerPropertyReader {
    /// Longest worker name, host, route, … accepted (mod_jk HEAD; 1.2.48 accepts 60).
    static let maximumNameLength = 63

    /// All properties.
    let store: PropertyStore
    /// The worker whose attributes are read.
    let worker: String

    /// The key of `attribute` for this worker.
    func key(_ attribute: String) -> String {
        AttributeCatalog.key(worker: worker, attribute)
    }

    /// The stored property of `attribute`, if set.
    func property(_ attribute: String) -> StoredProperty? {
        store.property(forKey: key(attribute))
    }

    /// The string value of `attribute`, if set.
    func string(_ attribute: String) -> String? {
        property(attribute)?.value
    }

    /// The 1.2.48 integer value of `attribute`, or nil when it is not set; warns about garbage and
    /// 32-bit wrap-around.
    func integerIfPresent(_ attribute: String, log: inout DiagnosticLog) -> Int? {
        property(attribute).map { Self.integer(of: $0, log: &log) }
    }

    /// The 1.2.48 integer value of a stored property, with a warning for garbage or wrap-around.
    static func integer(of property: StoredProperty, log: inout DiagnosticLog) -> Int {
        let reading = PropertyValueParser.integer(property.value)
        if !reading.isWellFormed {
            log.warning(.invalidInteger,
                        "'\(property.key)=\(property.value)' is not an integer; mod_jk 1.2.48 reads it as"
                            + " \(reading.value) (the leading digits, times 1024 or 1048576 for a final k or m);"
                            + " write a plain number", at: property.location)
        } else if !reading.isInRange {
            log.warning(.integerOverflow,
                        "'\(property.key)=\(property.value)' does not fit a 32-bit integer; mod_jk wraps it to"
                            + " \(reading.value); use a smaller number", at: property.location)
        }
        return reading.value
    }

    /// The 1.2.48 integer value of `attribute`, `defaultValue` when not set.
    func integer(_ attribute: String, default defaultValue: Int, log: inout DiagnosticLog) -> Int {
        integerIfPresent(attribute, log: &log) ?? defaultValue
    }

    /// The boolean value of `attribute`, `defaultValue` when not set or not recognised (with a warning).
    func boolean(_ attribute: String, default defaultValue: Bool, log: inout DiagnosticLog) -> Bool {
        guard let property = property(attribute) else { return defaultValue }
        if let value = PropertyValueParser.boolean(property.value) { return value }
        log.warning(.invalidBoolean,
                    "'\(property.key)=\(property.value)' is not a boolean, so mod_jk keeps the default"
                        + " (\(defaultValue)); write true or false", at: property.location)
        return defaultValue
    }

    /// An enumerated value decided by `parse`, `defaultValue` when not set or not recognised (with a
    /// warning listing `expected`).
    func choice<Value>(_ attribute: String, default defaultValue: Value, expected: String,
                       log: inout DiagnosticLog, parse: (String) -> Value?) -> Value {
        guard let property = property(attribute) else { return defaultValue }
        if let value = parse(property.value) { return value }
        log.warning(.invalidChoice,
                    "'\(property.key)=\(property.value)' is not recognised, so mod_jk uses the default;"
                        + " expected \(expected)", at: property.location)
        return defaultValue
    }

    /// The list tokens of `attribute` (split on space, tab and comma) with the line each came from.
    func list(_ attribute: String) -> [(text: String, location: SourceLocation?)] {
        guard let property = property(attribute) else { return [] }
        return Self.tokens(of: property)
    }

    /// Splits a stored value into list tokens and gives each the location of the piece (line) it starts
    /// in. The value is the pieces joined by one-byte separators, so offsets map back to pieces.
    static func tokens(of property: StoredProperty) -> [(text: String, location: SourceLocation?)] {
        var pieceEnds: [Int] = []
        var end = -1
        for piece in property.pieces {
            end = end &+ 1 &+ piece.text.utf8.count
            pieceEnds.append(end)
        }
        var result: [(text: String, location: SourceLocation?)] = []
        var current: [UInt8] = []
        var tokenStart = 0
        for (offset, byte) in property.value.utf8.enumerated() {
            if PropertyValueParser.isListSeparator(byte) {
                if !current.isEmpty { result.append(token(current, startingAt: tokenStart, property, pieceEnds)) }
                current.removeAll(keepingCapacity: true)
            } else {
                if current.isEmpty { tokenStart = offset }
                current.append(byte)
            }
        }
        if !current.isEmpty { result.append(token(current, startingAt: tokenStart, property, pieceEnds)) }
        return result
    }

    /// One token with the location of the piece that contains `offset`.
    private static func token(_ bytes: [UInt8], startingAt offset: Int, _ property: StoredProperty,
                              _ pieceEnds: [Int]) -> (text: String, location: SourceLocation?) {
        let pieceIndex = pieceEnds.firstIndex { offset < $0 }
        let location = pieceIndex.flatMap { property.pieces.indices.contains($0) ? property.pieces[$0].location : nil }
        return (String(decoding: bytes, as: UTF8.self), location ?? property.location)
    }

    /// Checks `value` of `attribute` (or the worker name when `attribute` is nil) against the 63-byte
    /// limit; logs an error and returns false when it is longer.
    func checkLength(_ value: String, of what: String, attribute: String?, fallback: SourceLocation?,
                     log: inout DiagnosticLog) -> Bool {
        let length = value.utf8.count
        guard length > Self.maximumNameLength else { return true }
        let location = attribute.flatMap { property($0)?.location } ?? fallback
        let subject = attribute.map { "'\(key($0))'" } ?? "worker name"
        log.error(.valueTooLong,
                  "\(subject): the \(what) '\(value)' is \(length) bytes long; at most \(Self.maximumNameLength)"
                      + " bytes are supported (mod_jk 1.2.48 allows 60), shorten it", at: location)
        return false
    }
}
