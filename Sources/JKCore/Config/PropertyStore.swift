/// One property as mod_jk's map holds it: the key, the (possibly joined) value, and where each part of
/// the value came from.
struct StoredProperty {
    /// One value given for the key, before joining.
    struct Piece {
        /// The value as stored for that line (after `$(…)` substitution).
        var text: String
        /// The line that gave it; nil for the built-in `ServerRoot`.
        var location: SourceLocation?
    }

    /// The key, e.g. `worker.w1.port`.
    var key: String
    /// The value mod_jk reads, e.g. `1*2` after `distance=1` and `distance=2`.
    var value: String
    /// The parts `value` was joined from, in order; for a list key each part's tokens are that line's.
    var pieces: [Piece]
    /// The line that set the key last (for a copied key: the template's line).
    var location: SourceLocation?
    /// For a key copied by `reference` inheritance, the key it was copied from.
    var copiedFrom: String?
}

/// The property map of mod_jk (`jk_map.c` in "handle duplicates" mode): keeps insertion order, applies
/// `$(name)` substitution against earlier properties and the environment, and joins or replaces
/// repeated keys (reference §6.3, §6.4).
struct PropertyStore {
    /// Every property, in the order its key was first stored.
    private(set) var properties: [StoredProperty] = []
    /// Position of each key in `properties`.
    private var positions: [String: Int] = [:]

    /// mod_jk gives up substituting after this many `$(` in one value.
    static let maximumSubstitutions = 21

    /// The property stored under exactly `key`.
    func property(forKey key: String) -> StoredProperty? {
        guard let position = positions[key], properties.indices.contains(position) else { return nil }
        return properties[position]
    }

    /// The value stored under exactly `key`.
    func value(forKey key: String) -> String? {
        property(forKey: key)?.value
    }

    /// Stores one line the way `jk_map_read_property` does: checks the attribute name (an unknown one is
    /// an error and the line is dropped), warns about deprecated names, substitutes `$(…)`, then joins
    /// or replaces an existing value.
    mutating func read(_ line: PropertyLine, environment: (String) -> String?, log: inout DiagnosticLog) {
        guard AttributeCatalog.isAccepted(key: line.key) else {
            log.error(.unknownAttribute, Self.unknownAttributeMessage(line.key), at: line.location)
            return
        }
        if let name = AttributeCatalog.deprecatedAttribute(ofKey: line.key),
           let advice = AttributeCatalog.deprecated[name] {
            log.warning(.deprecatedAttribute,
                        "'\(line.key)' uses the deprecated attribute '\(name)'; \(advice)", at: line.location)
        }
        let value = substitute(line.value, key: line.key, at: line.location, environment: environment, log: &log)
        store(key: line.key, value: value, location: line.location, log: &log)
    }

    /// `jk_map_put`: sets `key` to `value`, replacing any old value silently (the built-in `ServerRoot`).
    mutating func put(key: String, value: String, location: SourceLocation?) {
        let property = StoredProperty(key: key, value: value, pieces: [.init(text: value, location: location)],
                                      location: location)
        if let position = positions[key], properties.indices.contains(position) {
            properties[position] = property
        } else {
            append(property)
        }
    }

    /// `jk_map_add` as used by reference inheritance: stores a copy of `source` under `key` unless `key`
    /// already exists. Returns true when it stored.
    @discardableResult
    mutating func addIfAbsent(key: String, copying source: StoredProperty) -> Bool {
        guard positions[key] == nil else { return false }
        var copy = source
        copy.key = key
        copy.copiedFrom = source.copiedFrom ?? source.key
        append(copy)
        return true
    }

    /// Appends a new key.
    private mutating func append(_ property: StoredProperty) {
        positions[property.key] = properties.count
        properties.append(property)
    }

    /// The duplicate handling of §6.4 followed by the store.
    private mutating func store(key: String, value: String, location: SourceLocation, log: inout DiagnosticLog) {
        guard let position = positions[key], properties.indices.contains(position) else {
            append(StoredProperty(key: key, value: value, pieces: [.init(text: value, location: location)],
                                  location: location))
            return
        }
        var property = properties[position]
        let earlier = property.location.map { " from \($0)" } ?? ""
        switch AttributeCatalog.duplicateRule(forKey: key) {
        case .replace:
            log.warning(.duplicateKey,
                        "duplicate key '\(key)': the value '\(value)' given here replaces"
                            + " '\(property.value)'\(earlier); remove one of the two lines", at: location)
            property.value = value
            property.pieces = [.init(text: value, location: location)]
        case .join(let separator):
            let joined = property.value + String(decoding: [separator], as: UTF8.self) + value
            if separator != UInt8(ascii: ",") {
                log.warning(.duplicateKeyJoined,
                            "'\(key)' is set again (first\(earlier)): mod_jk joins the values to '\(joined)',"
                                + " so a number keeps only the first value; remove one of the lines", at: location)
            }
            property.value = joined
            property.pieces.append(.init(text: value, location: location))
        }
        property.location = location
        properties[position] = property
    }

    /// `jk_map_replace_properties`: replaces each `$(name)` by the value of an already stored property
    /// `name`, else the environment variable `name`, else leaves it. Replaced text is not scanned again;
    /// an unterminated `$(` ends the scan; after 21 `$(` the rest is left as is.
    func substitute(_ value: String, key: String, at location: SourceLocation,
                    environment: (String) -> String?, log: inout DiagnosticLog) -> String {
        var bytes = Array(value.utf8)
        var searchFrom = 0
        var attempts = 0
        while let start = Self.find(Array("$(".utf8), in: bytes, from: searchFrom) {
            let end = Self.find([UInt8(ascii: ")")], in: bytes, from: start)
            guard attempts < Self.maximumSubstitutions else {
                log.warning(.unresolvedVariable,
                            "'\(key)' has more than \(Self.maximumSubstitutions) '$(' references; mod_jk leaves"
                                + " the rest as written", at: location)
                break
            }
            attempts += 1
            guard let end else {
                log.warning(.unresolvedVariable,
                            "'\(key)' contains '$(' without a closing ')'; the rest of the value is kept as written",
                            at: location)
                break
            }
            let name = String(decoding: bytes[(start + 2)..<end], as: UTF8.self)
            if let replacement = self.value(forKey: name) ?? (name.isEmpty ? nil : environment(name)) {
                let replacementBytes = Array(replacement.utf8)
                bytes.replaceSubrange(start...end, with: replacementBytes)
                searchFrom = start + replacementBytes.count
            } else {
                log.warning(.unresolvedVariable,
                            "'$(\(name))' in '\(key)' is neither a property defined on an earlier line nor an"
                                + " environment variable, so it stays as written; define '\(name)=…' before"
                                + " this line", at: location)
                searchFrom = end
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first index at or after `from` where `needle` starts in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from >= 0, haystack.count >= needle.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The error text for a key that mod_jk does not accept.
    static func unknownAttributeMessage(_ key: String) -> String {
        let attribute = AttributeCatalog.attribute(ofKey: key)
        let hint = AttributeCatalog.suggestion(for: attribute).map { " (did you mean '\($0)'?)" } ?? ""
        return "unknown attribute '\(attribute)' in '\(key)'\(hint); mod_jk refuses to start with it."
            + " Known attributes are \(AttributeCatalog.currentInOrder.joined(separator: ", "))"
    }
}
