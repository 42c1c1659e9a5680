/// lb_mult from lbfactor (reference §9.2).
///
/// `S = lcm(lbfactor_1, ..., lbfactor_n)` (starting from 1) and `lb_mult_i = S / lbfactor_i`.
/// Every unit of work adds `lb_mult` to a member's `lb_value` and the chooser takes the lowest
/// `lb_value`, so a member with twice the lbfactor receives twice the work:
///
///     factors 1, 3     ⇒ S = 3  ⇒ mult 3, 1
///     factors 2, 3, 4  ⇒ S = 12 ⇒ mult 6, 4, 3
///
/// mod_jk computes the LCM with unchecked `a * b / gcd(a, b)` and silently wraps. Here the LCM is
/// computed as `a / gcd(a, b) * b` with `multipliedReportingOverflow`; when it does not fit in 64
/// bits the multipliers fall back to `fallbackScale / lbfactor` (at least 1): still inversely
/// proportional to the factors to within one part in `fallbackScale / max(lbfactor)`, and the
/// result says so, so the caller can log it.
public enum LBMultiplier {
    /// The numerator used instead of the LCM when the LCM overflows 64 bits: 2³², so that
    /// multipliers of lbfactors up to 2³¹ (the slot's `int32_t`) are still at least 2.
    public static let fallbackScale: UInt64 = 1 << 32

    /// Multipliers for a list of lbfactors.
    public struct Result: Equatable, Sendable {
        /// `lb_mult` of each member, in member order.
        public var multipliers: [UInt64]
        /// The LCM of the factors, or `fallbackScale` when it overflowed.
        public var scale: UInt64
        /// True when the exact LCM did not fit in 64 bits and the fallback was used.
        public var overflowed: Bool
    }

    /// The weight used for an lbfactor: values below 1 count as 1 (as mod_jk's configuration
    /// reader does; a runtime value written by the status worker gets the same treatment).
    @inline(__always)
    public static func weight(_ lbfactor: Int) -> UInt64 {
        lbfactor < 1 ? 1 : UInt64(lbfactor)
    }

    /// Greatest common divisor (Euclid); gcd(a, 0) = a.
    public static func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// `lcm(a, b)` for positive values, or nil when it does not fit in 64 bits.
    public static func leastCommonMultiple(_ a: UInt64, _ b: UInt64) -> UInt64? {
        guard a > 0, b > 0 else { return max(a, b) }
        let (product, overflow) = (a / greatestCommonDivisor(a, b)).multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }

    /// The LCM of the weights of `lbfactors` (1 for an empty list), or nil on overflow.
    public static func scale<Factors: Sequence<Int>>(of lbfactors: Factors) -> UInt64? {
        var scale: UInt64 = 1
        for factor in lbfactors {
            guard let next = leastCommonMultiple(scale, weight(factor)) else { return nil }
            scale = next
        }
        return scale
    }

    /// `lb_mult` for one member, given the scale from `scale(of:)` (or `fallbackScale`).
    @inline(__always)
    public static func multiplier(lbfactor: Int, scale: UInt64) -> UInt64 {
        max(scale / weight(lbfactor), 1)
    }

    /// The multipliers of all members (config time; allocates the result array).
    public static func multipliers(lbfactors: [Int]) -> Result {
        let exact = scale(of: lbfactors)
        let scale = exact ?? fallbackScale
        return Result(multipliers: lbfactors.map { multiplier(lbfactor: $0, scale: scale) }, scale: scale,
                      overflowed: exact == nil)
    }

    /// Recomputes `lb_mult` of every member from the `lbfactor` in its slot (after the status worker
    /// changed one, or when the slots are initialised). Returns true when the LCM overflowed and the
    /// fallback was used. Allocates nothing.
    ///
    /// - Precondition: the caller holds the segment lock.
    @discardableResult
    public static func update(_ slots: BalancerSlots) -> Bool {
        var scale: UInt64? = 1
        for member in 0..<slots.memberCount {
            guard let current = scale else { break }
            scale = leastCommonMultiple(current, weight(Int(slots.member(member).pointee.lbfactor)))
        }
        let effective = scale ?? fallbackScale
        for member in 0..<slots.memberCount {
            let slot = slots.member(member)
            slot.pointee.lb_mult = multiplier(lbfactor: Int(slot.pointee.lbfactor), scale: effective)
        }
        return scale == nil
    }
}
