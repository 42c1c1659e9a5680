// Trap-free arithmetic for values that come from configuration, clocks or shared memory
// (ARCHITECTURE.md §5: no trapping arithmetic on anything derived from input).

extension Int {
    /// `self + other`, clamped to `Int.max` / `Int.min` instead of trapping.
    @inline(__always)
    func addingClamped(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        if !overflow { return sum }
        return other > 0 ? Int.max : Int.min
    }
}

extension Int64 {
    /// `self - other`, clamped instead of trapping (times come from a clock and from shared memory).
    @inline(__always)
    func subtractingClamped(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if !overflow { return difference }
        return other > 0 ? Int64.min : Int64.max
    }
}

extension UInt64 {
    /// `self + other`, saturating at `UInt64.max`.
    @inline(__always)
    func addingSaturated(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? UInt64.max : sum
    }

    /// `self * other`, saturating at `UInt64.max`.
    @inline(__always)
    func multipliedSaturated(by other: UInt64) -> UInt64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? UInt64.max : product
    }

    /// `self - other`, floored at 0.
    @inline(__always)
    func subtractingFloored(_ other: UInt64) -> UInt64 {
        self >= other ? self - other : 0
    }
}
