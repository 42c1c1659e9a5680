import Testing
@testable import JKCore

/// §9.8: member state transitions on attempt results, table-driven.
@Suite struct MemberStateMachineTests {
    /// One transition: the member's situation before, the result, and what must follow.
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var before: MemberState = .ok
        var result: AttemptResult
        /// Other requests in flight on the member's worker when the attempt ends.
        var busy: Int32 = 0
        var firstError: Int64 = 0
        var lastError: Int64 = 0
        /// The worker's reply_timeouts after this attempt's were added.
        var replyTimeouts: Int32 = 0
        var maxReplyTimeouts = 0
        var escalationTime = 30
        var connectErrorsGlobal = true
        // Expected:
        var shared: MemberState
        var local: MemberState
        var errors: UInt64 = 0
        var first: Int64 = 0
        var last: Int64 = 0
        var escalated = false

        var testDescription: String { name }
    }

    static let now: Int64 = 1000

    static let rows: [Row] = [
        Row(name: "success clears error times", result: .success, firstError: 990, lastError: 995,
            shared: .ok, local: .ok),
        Row(name: "success after probing is OK", before: .probe, result: .success, shared: .ok, local: .ok),
        Row(name: "success on a global error recovers", before: .error, result: .success, firstError: 900,
            shared: .ok, local: .ok),
        Row(name: "client error keeps the member OK", result: .clientError, firstError: 990,
            shared: .ok, local: .error),
        Row(name: "soft fail_on_status keeps the member OK", result: .softFailOnStatus, firstError: 990,
            lastError: 990, shared: .ok, local: .error),
        Row(name: "busy sets OK/BUSY", result: .busy, shared: .busy, local: .busy),
        Row(name: "busy overrides even ERR (as the code does)", before: .error, result: .busy,
            firstError: 900, lastError: 900, shared: .busy, local: .busy, first: 900, last: 900),
        Row(name: "no endpoint sets OK/BUSY", result: .noFreeEndpoint, shared: .busy, local: .busy),
        Row(name: "no endpoint leaves ERR alone", before: .error, result: .noFreeEndpoint, firstError: 900,
            lastError: 900, shared: .error, local: .error, first: 900, last: 900),
        Row(name: "hard fail_on_status is a global error", result: .hardFailOnStatus, busy: 3, firstError: 990,
            shared: .error, local: .error, errors: 1, first: now, last: now),
        Row(name: "reply timeout within the tolerance is local", result: .replyTimeout, replyTimeouts: 1,
            maxReplyTimeouts: 1, shared: .ok, local: .error),
        Row(name: "reply timeout beyond the tolerance is global", result: .replyTimeout, replyTimeouts: 2,
            maxReplyTimeouts: 1, shared: .error, local: .error, errors: 1, first: now, last: now),
        Row(name: "first reply timeout with max 0 is global", result: .replyTimeout, replyTimeouts: 1,
            shared: .error, local: .error, errors: 1, first: now, last: now),
        Row(name: "negative max_reply_timeouts never trips", result: .replyTimeout, replyTimeouts: 1000,
            maxReplyTimeouts: -1, shared: .ok, local: .error),
        Row(name: "protocol error keeps the shared state", result: .protocolError, busy: 0,
            shared: .ok, local: .error),
        Row(name: "protocol error on a probed member makes it OK", before: .probe, result: .protocolError,
            shared: .ok, local: .error),
        Row(name: "protocol error leaves ERR", before: .error, result: .protocolError, firstError: 900,
            lastError: 900, shared: .error, local: .error, first: 900, last: 900),
        Row(name: "internal error keeps the shared state", before: .busy, result: .internalError,
            shared: .ok, local: .error),
        Row(name: "failure with nothing else in flight escalates at once", result: .failure, busy: 0,
            shared: .error, local: .error, errors: 1, first: now, last: now, escalated: true),
        Row(name: "failure with other requests in flight stays local", result: .failure, busy: 2,
            shared: .ok, local: .error, errors: 1, first: now, last: now),
        Row(name: "lingering local error escalates after error_escalation_time", result: .failure, busy: 2,
            firstError: now - 30, lastError: now - 5,
            shared: .error, local: .error, errors: 1, first: now - 30, last: now, escalated: true),
        Row(name: "younger local error stays local and keeps its first time", result: .failure, busy: 2,
            firstError: now - 29, lastError: now - 5,
            shared: .ok, local: .error, errors: 1, first: now - 29, last: now),
        Row(name: "error_escalation_time 0 escalates every failure", result: .failure, busy: 5,
            escalationTime: 0, shared: .error, local: .error, errors: 1, first: now, last: now, escalated: true),
        Row(name: "failure while probing with nothing in flight goes back to ERR", before: .probe, result: .failure,
            shared: .error, local: .error, errors: 1, first: now, last: now, escalated: true),
        Row(name: "failure on a forced member", before: .forced, result: .failure, busy: 1,
            shared: .ok, local: .error, errors: 1, first: now, last: now),
        Row(name: "refused connect is global at once even with requests in flight", result: .connectFailure,
            busy: 3, shared: .error, local: .error, errors: 1, first: now, last: now, escalated: true),
        Row(name: "refused connect on a member already in ERR stays ERR", before: .error, result: .connectFailure,
            busy: 3, firstError: now - 10, shared: .error, local: .error, errors: 1, first: now, last: now),
        Row(name: "mod_jk's rule (connect_errors_global=false): a refused connect stays local while busy",
            result: .connectFailure, busy: 2, connectErrorsGlobal: false,
            shared: .ok, local: .error, errors: 1, first: now, last: now),
    ]

    @Test(arguments: rows)
    func transition(_ row: Row) {
        let fixture = BalancerFixture(["m", "other"], lb: { settings in
            settings.maxReplyTimeouts = row.maxReplyTimeouts
            settings.errorEscalationTime = row.escalationTime
            settings.connectErrorsGlobal = row.connectErrorsGlobal
        })
        let member = fixture.member("m")
        member.pointee.state = row.before.slotValue
        member.pointee.first_error_time = row.firstError
        member.pointee.last_error_time = row.lastError
        fixture.worker("m").pointee.busy = row.busy
        fixture.worker("m").pointee.reply_timeouts = row.replyTimeouts
        BalancerService.withLocalStates(memberCount: 2) { states in
            states.copy(from: fixture.slots)
            let outcome = MemberStateMachine.attemptEnded(row.result, slots: fixture.slots, member: 0, states: states,
                                                          now: Self.now)
            #expect(outcome == .init(shared: row.shared, local: row.local, escalated: row.escalated))
            #expect(states[0] == row.local)
            #expect(states[1] == .idle)
        }
        #expect(fixture.state("m") == row.shared)
        #expect(member.pointee.errors == row.errors)
        #expect(member.pointee.first_error_time == row.first)
        #expect(member.pointee.last_error_time == row.last)
        #expect(fixture.state("other") == .idle)
    }

    @Test func choosingARecoveringMemberProbesIt() {
        let fixture = BalancerFixture(["m", "other"])
        fixture.setState("m", .recover)
        fixture.setState("other", .recover)
        BalancerService.withLocalStates(memberCount: 2) { states in
            states.copy(from: fixture.slots)
            MemberStateMachine.memberChosen(slots: fixture.slots, member: 0, states: states)
            #expect(states[0] == .probe)
            #expect(states[1] == .recover)
        }
        #expect(fixture.state("m") == .probe)
        #expect(fixture.state("other") == .recover)
    }

    @Test(arguments: [MemberState.idle, .ok, .forced, .busy, .error, .probe])
    func choosingAnyOtherStateChangesNothing(_ state: MemberState) {
        let fixture = BalancerFixture(["m"])
        fixture.setState("m", state)
        BalancerService.withLocalStates(memberCount: 1) { states in
            MemberStateMachine.memberChosen(slots: fixture.slots, member: 0, states: states)
        }
        #expect(fixture.state("m") == state)
    }

    @Test func invalidMemberIndexDoesNothing() {
        let fixture = BalancerFixture(["m"])
        BalancerService.withLocalStates(memberCount: 1) { states in
            let outcome = MemberStateMachine.attemptEnded(.failure, slots: fixture.slots, member: 3, states: states,
                                                          now: 1000)
            #expect(outcome.shared == .error)
            MemberStateMachine.memberChosen(slots: fixture.slots, member: -1, states: states)
        }
        #expect(fixture.state("m") == .idle)
        #expect(fixture.member("m").pointee.errors == 0)
    }

    @Test func unknownSlotStateReadsAsError() {
        #expect(MemberState(slotValue: 42) == .error)
        #expect(MemberState(slotValue: -1) == .error)
        #expect(MemberState.allCases.map(\.description)
            == ["OK/IDLE", "OK", "ERR/REC", "ERR/FRC", "OK/BUSY", "ERR", "ERR/PRB"])
        #expect(MemberActivation(slotValue: 9) == .active)
        #expect([MemberActivation.active, .disabled, .stopped].map(\.slotValue) == [0, 1, 2])
    }
}
