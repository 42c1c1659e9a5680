/// Strict checks of change parameters for the JSON API (mod_jk's own formats keep its lenient
/// rules: out-of-range values are ignored there). Every problem is reported, so a client sees at
/// once what to fix; a request with any problem changes nothing (HTTP 422).
public enum StatusValidation {
    /// What a change addresses.
    public enum Target: Sendable {
        /// An lb's own settings (`vl*`).
        case balancer
        /// Members of an lb (`vw*`, `va*` but not `vahst`/`vaprt` with `att`).
        case members
        /// A plain ajp13 worker (`va*`).
        case worker
    }

    private enum Rule {
        case integer(ClosedRange<Int>)
        case boolean
        case method
        case lock
        case activation
        case string(allowEmpty: Bool)
    }

    private static let rules: [String: Rule] = [
        "vlr": .integer(1...Int(Int32.max)), "vlri": .integer(1...Int(Int32.max)), "vlt": .integer(1...Int(Int32.max)),
        "vlee": .integer(1...Int(Int32.max)), "vlx": .integer(0...Int(Int32.max)), "vls": .boolean, "vlf": .boolean,
        "vlm": .method, "vll": .lock,
        "vwa": .activation, "vwf": .integer(1...Int(Int32.max)), "vwn": .string(allowEmpty: true),
        "vwr": .string(allowEmpty: true), "vwc": .string(allowEmpty: true), "vwd": .integer(0...Int(Int32.max)),
        "vahst": .string(allowEmpty: false), "vaprt": .integer(0...65535),
        "vacpt": .integer(0...Int(Int32.max)), "vapng": .integer(0...Int(Int32.max)),
        "vact": .integer(0...Int(Int32.max)), "vapt": .integer(0...Int(Int32.max)),
        "vart": .integer(0...Int(Int32.max)), "var": .integer(1...Int(Int32.max)),
        "vari": .integer(1...Int(Int32.max)), "vacpi": .integer(1...Int(Int32.max)),
        "varo": .integer(0...Int(Int32.max)), "vabl": .integer(0...Int(Int32.max)), "vamps": .integer(8192...65536),
    ]

    /// The keys a target accepts.
    private static func accepts(_ key: String, _ target: Target) -> Bool {
        switch target {
        case .balancer: key.hasPrefix("vl")
        case .members: key.hasPrefix("vw") || key.hasPrefix("va")
        case .worker: key.hasPrefix("va")
        }
    }

    /// The change keys present in `query` (`v*` keys of the table, plus `att`'s values).
    public static func changeKeys(_ query: StatusQuery) -> [String] {
        query.parameters.keys.filter { rules[$0] != nil }.sorted()
    }

    /// Every problem of the change in `query` for `target`, as sentences; empty when it is valid.
    /// `memberCount` bounds the `val<N>` indices of an `att` change.
    public static func problems(_ query: StatusQuery, target: Target, memberCount: Int) -> [String] {
        var problems: [String] = []
        var values: [(key: String, value: String, label: String)] =
            changeKeys(query).compactMap { key in query[key].map { (key, $0, key) } }
        if let attribute = query["att"] {
            if target != .members || rules[attribute] == nil || attribute == "vahst" || attribute == "vaprt" {
                problems.append("att=\(attribute) is not an attribute that can be set for all members")
            } else {
                for (key, value) in query.parameters where key.hasPrefix("val") {
                    guard let index = Int(key.dropFirst(3)), index >= 0, index < memberCount else {
                        problems.append("\(key) does not name a member position (0..<\(memberCount))")
                        continue
                    }
                    values.append((attribute, value, key))
                }
            }
        }
        if values.isEmpty && problems.isEmpty { problems.append("no change given (use v* parameters, state or weight)") }
        for (key, value, label) in values {
            guard accepts(key, target) else {
                problems.append("\(label) does not apply to this \(target == .balancer ? "load balancer" : target == .members ? "member" : "worker")")
                continue
            }
            guard let rule = rules[key] else { continue }
            if let problem = check(value, rule) { problems.append("\(label)=\(value): \(problem)") }
        }
        return problems
    }

    private static func check(_ value: String, _ rule: Rule) -> String? {
        switch rule {
        case .integer(let range):
            guard let number = strictInteger(value) else { return "not an integer" }
            return range.contains(number) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)"
        case .boolean:
            return ["on", "off", "true", "false", "yes", "no", "1", "0", "t", "f", "y", "n"].contains(value.lowercased())
                ? nil : "must be on or off"
        case .method:
            return StatusEditor.method(value) != nil && !value.isEmpty ? nil
                : "must be Request, Traffic, Busyness, Sessions or Next"
        case .lock:
            return StatusEditor.lock(value) != nil ? nil : "must be Optimistic or Pessimistic"
        case .activation:
            return MemberActivation(operatorName: value) != nil ? nil : "must be ACT, DIS or STP (or ready, drain, maint)"
        case .string(let allowEmpty):
            if !allowEmpty && value.isEmpty { return "must not be empty" }
            return value.utf8.count < 64 ? nil : "longer than 63 bytes"
        }
    }

    /// An optional sign and digits only, within Int32.
    static func strictInteger(_ text: String) -> Int? {
        var digits = Substring(text)
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.count <= 10,
              let value = Int(digits) else { return nil }
        let signed = negative ? -value : value
        return signed >= Int(Int32.min) && signed <= Int(Int32.max) ? signed : nil
    }
}
