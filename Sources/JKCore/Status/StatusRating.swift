/// mod_jk's good / degraded / bad rating of lb members (status-worker.md §1.7, `status_rate()`):
/// a member's activation and state each set a byte pattern; a rule is one letter or letters
/// joined by `.` (AND), rules are listed with `,` (OR); `bad` is checked first, then `good`,
/// anything else is degraded.
///
/// Letters: `a`ctive, `d`isabled, `s`topped (activation); `o`k, `i`/`n` idle, `b`usy,
/// `r`ecovering, `e`rror (state). ERR/PRB and ERR/FRC rate as recovering.
public struct StatusRating: Sendable, Equatable {
    /// The OR of the `good` rules' masks.
    public let goodMask: UInt32
    /// The OR of the `bad` rules' masks.
    public let badMask: UInt32

    /// The rating configured by `good` and `bad`.
    public init(good: [String], bad: [String]) {
        goodMask = Self.mask(good)
        badMask = Self.mask(bad)
    }

    /// The rating of one member.
    public enum Verdict: Sendable, Equatable {
        /// Counted in `good`.
        case good
        /// Counted in `degraded`.
        case degraded
        /// Counted in `bad`.
        case bad
    }

    /// Rates a member with `activation` and `state`.
    public func rate(activation: MemberActivation, state: MemberState) -> Verdict {
        let value = Self.activationMask(activation) & Self.stateMask(state)
        if value & badMask != 0 { return .bad }
        if value & goodMask != 0 { return .good }
        return .degraded
    }

    /// True when some member state rates both good and bad (mod_jk logs a warning).
    public var overlaps: Bool { goodMask & badMask != 0 }

    static func activationMask(_ activation: MemberActivation) -> UInt32 {
        switch activation {
        case .active: 0x0000_00FF
        case .disabled: 0x0000_FF00
        case .stopped: 0x00FF_0000
        }
    }

    static func stateMask(_ state: MemberState) -> UInt32 {
        switch state {
        case .ok: 0x0001_0101
        case .idle: 0x0002_0202
        case .busy: 0x0004_0404
        case .recover, .probe, .forced: 0x0008_0808
        case .error: 0x0010_1010
        }
    }

    /// The mask of a rule list: each rule ANDs its letters' masks (starting from all ones), and
    /// the rules are ORed. Unknown letters are ignored, as in mod_jk.
    static func mask(_ rules: [String]) -> UInt32 {
        var total: UInt32 = 0
        for rule in rules {
            var mask: UInt32 = 0xFFFF_FFFF
            var any = false
            for letter in rule.lowercased().utf8 {
                let part: UInt32? = switch letter {
                case UInt8(ascii: "a"): 0x0000_00FF
                case UInt8(ascii: "d"): 0x0000_FF00
                case UInt8(ascii: "s"): 0x00FF_0000
                case UInt8(ascii: "o"): 0x0001_0101
                case UInt8(ascii: "i"), UInt8(ascii: "n"): 0x0002_0202
                case UInt8(ascii: "b"): 0x0004_0404
                case UInt8(ascii: "r"): 0x0008_0808
                case UInt8(ascii: "e"): 0x0010_1010
                default: nil
                }
                if let part {
                    mask &= part
                    any = true
                }
            }
            if any { total |= mask }
        }
        return total
    }
}
