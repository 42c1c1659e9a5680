import Testing
@testable import JKCore

/// §9.2: lb_mult = lcm(lbfactors) / lbfactor, with overflow-checked LCM.
@Suite struct LBMultiplierTests {
    @Test func factorsOneAndThreeGiveThreeAndOne() {
        let result = LBMultiplier.multipliers(lbfactors: [1, 3])
        #expect(result.scale == 3)
        #expect(result.multipliers == [3, 1])
        #expect(!result.overflowed)
    }

    @Test func factorsTwoThreeFourGiveSixFourThree() {
        let result = LBMultiplier.multipliers(lbfactors: [2, 3, 4])
        #expect(result.scale == 12)
        #expect(result.multipliers == [6, 4, 3])
    }

    @Test func equalFactorsGiveMultiplierOne() {
        #expect(LBMultiplier.multipliers(lbfactors: [5, 5, 5]).multipliers == [1, 1, 1])
        #expect(LBMultiplier.multipliers(lbfactors: [1, 1, 1, 2]).multipliers == [2, 2, 2, 1])
    }

    @Test func factorsBelowOneCountAsOne() {
        #expect(LBMultiplier.multipliers(lbfactors: [0, -7, 2]).multipliers == [2, 2, 1])
        #expect(LBMultiplier.weight(Int.min) == 1)
    }

    @Test func emptyListHasScaleOne() {
        let result = LBMultiplier.multipliers(lbfactors: [])
        #expect(result.scale == 1)
        #expect(result.multipliers.isEmpty)
    }

    @Test func gcdAndLcmOfEdgeValues() {
        #expect(LBMultiplier.greatestCommonDivisor(12, 18) == 6)
        #expect(LBMultiplier.greatestCommonDivisor(7, 0) == 7)
        #expect(LBMultiplier.leastCommonMultiple(4, 6) == 12)
        #expect(LBMultiplier.leastCommonMultiple(UInt64.max, UInt64.max) == UInt64.max)
        #expect(LBMultiplier.leastCommonMultiple(UInt64.max, 2) == nil)
    }

    @Test func overflowingLCMFallsBackAndSaysSo() {
        // 2^31 - 1 (prime), 2^31 and 3^19 are pairwise coprime: their LCM is about 2^92.
        let factors = [2_147_483_647, 2_147_483_648, 1_162_261_467]
        #expect(LBMultiplier.scale(of: factors) == nil)
        let result = LBMultiplier.multipliers(lbfactors: factors)
        #expect(result.overflowed)
        #expect(result.scale == LBMultiplier.fallbackScale)
        #expect(result.multipliers == [2, 2, 3])
    }

    @Test func fallbackMultiplierIsNeverZero() {
        #expect(LBMultiplier.multiplier(lbfactor: Int.max, scale: LBMultiplier.fallbackScale) == 1)
    }

    @Test func updateRecomputesFromSlotFactors() {
        let fixture = BalancerFixture(["a", "b", "c"], member: { name, settings in
            settings.lbfactor = ["a": 2, "b": 3, "c": 4][name] ?? 1
        })
        #expect(fixture.names.map { fixture.member($0).pointee.lb_mult } == [6, 4, 3])
        // The status worker changes b's lbfactor at runtime (0 counts as 1).
        fixture.member("b").pointee.lbfactor = 0
        #expect(!LBMultiplier.update(fixture.slots))
        #expect(fixture.names.map { fixture.member($0).pointee.lb_mult } == [2, 4, 1])
    }

    @Test func updateReportsOverflow() {
        let fixture = BalancerFixture(["a", "b", "c"])
        fixture.member("a").pointee.lbfactor = 2_147_483_647
        fixture.member("b").pointee.lbfactor = 1_162_261_467
        fixture.member("c").pointee.lbfactor = 1_073_741_824
        #expect(LBMultiplier.update(fixture.slots))
        #expect(fixture.names.map { fixture.member($0).pointee.lb_mult } == [2, 3, 4])
    }
}
