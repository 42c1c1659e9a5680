import Testing
@testable import JKCore

/// §9.4: the worked schedules written in `MemberChooser`'s header comment, asserted exactly, plus
/// T45, T46, T58 and stateless requests.
@Suite struct MemberChooserTests {
    /// One row of a schedule: the lb_values before the choice, the rotation start, the pick.
    private struct Row: Equatable, CustomStringConvertible {
        var values: [UInt64]
        var offset: Int
        var pick: String
        var description: String { "\(values) @\(offset) → \(pick)" }
    }

    /// Serves `count` requests and records each choice with the state before it.
    private func rows(_ fixture: inout BalancerFixture, _ count: Int) -> [Row] {
        (0..<count).map { _ in
            let values = fixture.lbValues
            let offset = fixture.nextOffset % fixture.names.count
            let pick = fixture.serve().tried.first ?? "-"
            return Row(values: values, offset: offset, pick: pick)
        }
    }

    @Test func equalWeightsAlternate() {
        var fixture = BalancerFixture(["A", "B"])
        #expect(rows(&fixture, 4) == [
            Row(values: [0, 0], offset: 0, pick: "A"),
            Row(values: [1, 0], offset: 1, pick: "B"),
            Row(values: [1, 1], offset: 0, pick: "A"),
            Row(values: [2, 1], offset: 1, pick: "B"),
        ])
    }

    @Test func oneToThreeWeights() {
        var fixture = BalancerFixture(["r1:node1", "r3:node2"], member: { name, settings in
            settings.lbfactor = name == "r3" ? 3 : 1
        })
        #expect(rows(&fixture, 8).map { "\($0.values) \($0.pick)" } == [
            "[0, 0] r1", "[3, 0] r3", "[3, 1] r3", "[3, 2] r3",
            "[3, 3] r1", "[6, 3] r3", "[6, 4] r3", "[6, 5] r3",
        ])
    }

    @Test func t45LbfactorOneToThreeGivesExactlyTenAndThirty() {
        var fixture = BalancerFixture(["r1:node1", "r3:node2"], member: { name, settings in
            settings.lbfactor = name == "r3" ? 3 : 1
        })
        let picks = fixture.schedule(40)
        #expect(picks.filter { $0 == "r1" }.count == 10)
        #expect(picks.filter { $0 == "r3" }.count == 30)
    }

    @Test func oneMemberDisabled() {
        var fixture = BalancerFixture(["A", "B", "C"])
        fixture.setActivation("B", .disabled)
        #expect(rows(&fixture, 4) == [
            Row(values: [0, 0, 0], offset: 0, pick: "A"),
            Row(values: [1, 0, 0], offset: 1, pick: "C"),
            Row(values: [1, 0, 1], offset: 0, pick: "A"),
            Row(values: [2, 0, 1], offset: 1, pick: "C"),
        ])
    }

    @Test func weightsOneOneOneTwo() {
        var fixture = BalancerFixture(["A", "B", "C", "D"], member: { name, settings in
            settings.lbfactor = name == "D" ? 2 : 1
        })
        #expect(rows(&fixture, 10) == [
            Row(values: [0, 0, 0, 0], offset: 0, pick: "A"),
            Row(values: [2, 0, 0, 0], offset: 1, pick: "B"),
            Row(values: [2, 2, 0, 0], offset: 2, pick: "C"),
            Row(values: [2, 2, 2, 0], offset: 3, pick: "D"),
            Row(values: [2, 2, 2, 1], offset: 0, pick: "D"),
            Row(values: [2, 2, 2, 2], offset: 0, pick: "A"),
            Row(values: [4, 2, 2, 2], offset: 1, pick: "B"),
            Row(values: [4, 4, 2, 2], offset: 2, pick: "C"),
            Row(values: [4, 4, 4, 2], offset: 3, pick: "D"),
            Row(values: [4, 4, 4, 3], offset: 0, pick: "D"),
        ])
    }

    @Test func t58DistanceTiers() {
        var fixture = BalancerFixture(["d1", "d2"], member: { name, settings in
            settings.distance = name == "d1" ? 1 : 0
        })
        #expect(fixture.schedule(6) == Array(repeating: "d2", count: 6))
        fixture.setActivation("d2", .stopped)
        #expect(fixture.schedule(3) == Array(repeating: "d1", count: 3))
    }

    @Test func distanceBeatsAnyLoadValue() {
        var fixture = BalancerFixture(["far", "near"], member: { name, settings in
            settings.distance = name == "far" ? 5 : 2
        })
        fixture.member("near").pointee.lb_value = 1_000_000
        #expect(fixture.schedule(2) == ["near", "near"])
    }

    @Test func t46AlternationAcrossProcessesThroughSharedValues() {
        var fixture = BalancerFixture(["node1", "node2"])
        var offsets = [0, 0, 0]
        var picks: [String] = []
        for request in 0..<8 {
            let process = request % 3
            fixture.nextOffset = offsets[process]
            picks.append(fixture.serve().tried.first ?? "-")
            offsets[process] = fixture.nextOffset
        }
        #expect(picks == ["node1", "node2", "node1", "node2", "node1", "node2", "node1", "node2"])
    }

    @Test func statelessRequestsIgnoreLoadValuesAndRotate() {
        var fixture = BalancerFixture(["A", "B"])
        fixture.member("A").pointee.lb_value = 1000
        let stateless = BalancerRequest(stateless: true)
        #expect(fixture.schedule(4, stateless) == ["A", "B", "A", "B"])
        // Stateful requests compare values again.
        #expect(fixture.schedule(2) == ["B", "B"])
    }

    @Test func statelessStillPrefersTheLowerDistance() {
        let fixture = BalancerFixture(["A", "B"], member: { name, settings in
            settings.distance = name == "A" ? 1 : 0
        })
        var offset = 0
        fixture.withView { view in
            #expect(MemberChooser.bestByValue(view: view, stateless: true, nextOffset: &offset) == 1)
            #expect(offset == 2)
        }
    }

    @Test func unusableMembersAreSkipped() {
        let fixture = BalancerFixture(["A", "B", "C", "D", "E"])
        fixture.setState("A", .error)
        fixture.setState("B", .busy)
        fixture.setState("C", .probe)
        fixture.setActivation("D", .stopped)
        fixture.setState("E", .forced)
        var offset = 0
        fixture.withView { view in
            #expect(MemberChooser.bestByValue(view: view, stateless: false, nextOffset: &offset) == 4)
            #expect(offset == 5)
        }
    }

    @Test func recoveringAndIdleMembersAreUsable() {
        let fixture = BalancerFixture(["A", "B"])
        fixture.setState("A", .recover)
        fixture.member("B").pointee.lb_value = 3
        var offset = 0
        fixture.withView { view in
            #expect(MemberChooser.bestByValue(view: view, stateless: false, nextOffset: &offset) == 0)
        }
    }

    @Test func anyRotationStartIsNormalised() {
        let fixture = BalancerFixture(["A", "B", "C"])
        fixture.withView { view in
            for (start, pick) in [(-1, 2), (Int.min, 1), (Int.max, 1), (7, 1)] {
                var offset = start
                #expect(MemberChooser.bestByValue(view: view, stateless: false, nextOffset: &offset) == pick)
            }
        }
        #expect(MemberChooser.normalized(Int.min, 3) == 1)
    }

    @Test func nothingUsableAndNoRedirectGivesNothing() {
        let fixture = BalancerFixture(["A", "B"])
        fixture.setState("A", .error)
        fixture.setActivation("B", .disabled)
        var offset = 0
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            #expect(MemberChooser.choose(view: view, session: nil, stateless: false, nextOffset: &offset,
                                         note: &note) == nil)
        }
    }

    @Test func failoverUsesTheFirstRedirectOnly() {
        let fixture = BalancerFixture(["A", "B", "C"], member: { name, settings in
            if name == "A" { settings.redirect = "B" }
            if name == "B" { settings.redirect = "C" }
        })
        fixture.setState("A", .error)
        fixture.setActivation("B", .disabled)
        fixture.setActivation("C", .disabled)
        var offset = 0
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            #expect(MemberChooser.choose(view: view, session: nil, stateless: false, nextOffset: &offset,
                                         note: &note) == .init(member: 1, sticky: false))
        }
    }

    @Test func sessionWithoutMemberFallsBackToBalancing() {
        let fixture = BalancerFixture(["A", "B"])
        var offset = 0
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            #expect(MemberChooser.choose(view: view, session: session("X.gone"), stateless: false,
                                         nextOffset: &offset, note: &note) == .init(member: 0, sticky: false))
        }
    }

    @Test func stickyForceWithoutMatchingRouteGivesNothing() {
        let fixture = BalancerFixture(["A", "B"], lb: { $0.stickySessionForce = true })
        var offset = 0
        fixture.withView { view in
            var note = RouteResolver.RouteNote.unset
            #expect(MemberChooser.choose(view: view, session: session("routeless"), stateless: false,
                                         nextOffset: &offset, note: &note) == nil)
        }
    }
}
