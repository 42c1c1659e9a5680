import Testing
@testable import JKCore

/// mod_jk's good / degraded / bad rating (status_rate, masks of jk_status.c).
@Suite struct StatusRatingTests {
    @Test func defaultMasksAreModJks() {
        let rating = StatusRating(good: StatusWorkerSettings().good, bad: StatusWorkerSettings().bad)
        #expect(rating.goodMask == 0x0000_000F)
        #expect(rating.badMask == 0x00FF_1010)
        #expect(!rating.overlaps)
    }

    @Test func everyActivationAndStateRatesAsModJkDoes() {
        let rating = StatusRating(good: ["a.o", "a.i", "a.b", "a.r"], bad: ["e", "s"])
        for state in MemberState.allCases {
            let error = state == .error
            #expect(rating.rate(activation: .active, state: state) == (error ? .bad : .good), "\(state)")
            #expect(rating.rate(activation: .disabled, state: state) == (error ? .bad : .degraded), "\(state)")
            #expect(rating.rate(activation: .stopped, state: state) == .bad, "\(state)")
        }
    }

    @Test func customRulesAndOverlap() {
        let strict = StatusRating(good: ["a.o"], bad: ["e", "s", "d"])
        #expect(strict.rate(activation: .active, state: .idle) == .degraded)
        #expect(strict.rate(activation: .disabled, state: .ok) == .bad)
        #expect(StatusRating(good: ["o"], bad: ["a"]).overlaps)
        #expect(StatusRating(good: ["x", ""], bad: []).goodMask == 0)
    }
}

/// configtest warns when the status worker's rules overlap.
@Suite struct StatusRatingConfigurationTests {
    @Test func overlappingRulesAreReported() {
        var log = DiagnosticLog()
        let sources = [PropertySource.workersFile("worker.list=st\nworker.st.type=status\nworker.st.good=a\n"
                                                  + "worker.st.bad=e\n", file: "w.properties")]
        _ = WorkersConfiguration.load(sources: sources, serverRoot: "/", environment: { _ in nil }, log: &log)
        #expect(log.entries.contains { $0.code == .statusRatingOverlap && $0.description.contains("w.properties:4") })
    }
}
