/// `reference` inheritance (reference §6.6, `jk_map_resolve_references` and
/// `jk_map_inherit_properties`).
///
/// `worker.X.reference=worker.T` copies every property `worker.T.<rest>` to `worker.X.<rest>` unless
/// X already has it. Templates are resolved first (recursively, depth limit 20 counted the mod_jk way:
/// the top-level scan is depth 1), so X also receives what T inherited. The value is a plain key prefix;
/// it does not have to start with `worker.`.
extension PropertyStore {
    /// mod_jk's recursion limit for references.
    static let maximumReferenceDepth = 20

    /// Resolves every `worker.….reference`. Returns false after logging an error.
    mutating func resolveReferences(log: inout DiagnosticLog) -> Bool {
        resolveReferences(prefix: "worker.", wildcard: true, depth: 1, chain: [], log: &log)
    }

    /// One level of `jk_map_resolve_references`: with `wildcard`, every key `prefix….reference`; without,
    /// exactly `prefix.reference`. `chain` holds the references being resolved, outermost first.
    private mutating func resolveReferences(prefix: String, wildcard: Bool, depth: Int,
                                            chain: [StoredProperty], log: inout DiagnosticLog) -> Bool {
        let suffix = ".reference"
        guard depth <= Self.maximumReferenceDepth else {
            reportTooDeep(chain: chain, log: &log)
            return false
        }
        var index = 0
        while index < properties.count {
            let property = properties[index]
            index += 1
            let key = property.key
            guard !property.value.isEmpty, key.utf8.starts(with: prefix.utf8),
                  AttributeCatalog.hasSuffix(key, separator: "", name: suffix) else { continue }
            let remain = key.utf8.count - prefix.utf8.count
            guard remain == suffix.utf8.count || (wildcard && remain > suffix.utf8.count) else { continue }
            let target = property.value
            let from = target + "."
            let to = String(decoding: key.utf8.dropLast(suffix.utf8.count - 1), as: UTF8.self)
            if to.utf8.starts(with: from.utf8) {
                log.error(.referenceIntoItself,
                          "'\(key)=\(target)' makes '\(to)…' inherit from its own prefix '\(from)…', which mod_jk"
                              + " copies without end; reference a template outside this worker's name",
                          at: property.location)
                return false
            }
            guard resolveReferences(prefix: target, wildcard: false, depth: depth + 1,
                                    chain: chain + [property], log: &log) else { return false }
            guard inherit(from: from, to: to) else {
                log.error(.referenceNotFound,
                          "'\(key)' refers to '\(target)', but no property starts with '\(from)'; define the"
                              + " template (e.g. '\(from)host=…') or fix the name", at: property.location)
                return false
            }
        }
        return true
    }

    /// `jk_map_inherit_properties`: copies each `from<rest>` to `to<rest>` unless present. False when no
    /// key starts with `from`. Keys added while copying are not scanned again (mod_jk would only rescan
    /// them when `to` starts with `from`, which is rejected before).
    private mutating func inherit(from: String, to: String) -> Bool {
        var found = false
        let snapshot = properties
        for property in snapshot where property.key.utf8.starts(with: from.utf8) {
            found = true
            let rest = String(decoding: property.key.utf8.dropFirst(from.utf8.count), as: UTF8.self)
            addIfAbsent(key: to + rest, copying: property)
        }
        return found
    }

    /// Logs the depth error at the outermost reference, naming the chain and any cycle in it.
    private func reportTooDeep(chain: [StoredProperty], log: inout DiagnosticLog) {
        let targets = chain.map(\.value)
        var seen: Set<String> = []
        let cycle = targets.first { !seen.insert($0).inserted }
        let shown = targets.prefix(6).joined(separator: " → ") + (targets.count > 6 ? " → …" : "")
        let reason = cycle.map { "references form a cycle through '\($0)'" }
            ?? "references nest deeper than \(Self.maximumReferenceDepth) levels"
        log.error(.referenceTooDeep,
                  "'\(chain.first?.key ?? "reference")': \(reason) (\(shown)); mod_jk refuses to start."
                      + " Make the chain end in a template without 'reference'",
                  at: chain.first?.location)
    }
}
