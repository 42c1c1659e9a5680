import CJKCore
import Testing
@testable import JKCore

/// Topology, slot views and their initial values, activation overrides, request facts and the
/// worker slot counters.
@Suite struct BalancerSetupTests {
    private func topology(_ names: [String], slots: [(Int, Int)], balancer: Int = 0) -> BalancerTopology {
        let inputs = zip(names, slots).map { name, slot in
            BalancerTopology.MemberInput(name: name, settings: AJPWorkerSettings(workerName: name),
                                         memberSlot: slot.0, workerSlot: slot.1)
        }
        return BalancerTopology(settings: LoadBalancerSettings(members: names), members: inputs,
                                balancerSlot: balancer, maintainInterval: 60)
    }

    @Test func slotsOutsideTheSegmentAreRejected() {
        let arena = SlotArena(count: 5)
        #expect(BalancerSlots(segment: arena.buffer, topology: topology(["a", "b"], slots: [(1, 2), (3, 4)])) != nil)
        #expect(BalancerSlots(segment: arena.buffer, topology: topology(["a"], slots: [(1, 5)])) == nil)
        #expect(BalancerSlots(segment: arena.buffer, topology: topology(["a"], slots: [(-1, 2)])) == nil)
        #expect(BalancerSlots(segment: arena.buffer, topology: topology(["a"], slots: [(1, 2)], balancer: 9)) == nil)
        let empty = UnsafeMutableBufferPointer<sjk_slot_t>(start: nil, count: 0)
        #expect(BalancerSlots(segment: empty, topology: topology([], slots: [])) == nil)
    }

    @Test func slotAccessorsCheckMemberIndices() {
        let arena = SlotArena(count: 5)
        guard let slots = BalancerSlots(segment: arena.buffer,
                                        topology: topology(["a", "b"], slots: [(1, 2), (3, 4)])) else {
            Issue.record("slots")
            return
        }
        #expect(slots.memberSlot(1) == arena.buffer.baseAddress.map { $0 + 3 })
        #expect(slots.workerSlot(1) == arena.buffer.baseAddress.map { $0 + 4 })
        #expect(slots.memberSlot(2) == nil)
        #expect(slots.workerSlot(-1) == nil)
    }

    @Test func initializeWritesConfiguredValues() {
        let fixture = BalancerFixture(["a", "b", "c"], now: 4242, member: { name, settings in
            settings.lbfactor = name == "a" ? 2 : 3
            settings.distance = name == "b" ? 7 : 0
            settings.activation = name == "c" ? .stopped : .active
        })
        fixture.member("a").pointee.lb_value = 99
        fixture.setState("a", .error)
        fixture.slots.initialize(now: 5000)
        #expect(fixture.slots.balancer.pointee.last_maintain_time == 5000)
        #expect(fixture.names.map { fixture.member($0).pointee.lb_mult } == [3, 2, 2])
        #expect(fixture.names.map { fixture.member($0).pointee.distance } == [0, 7, 0])
        #expect(fixture.names.map { fixture.member($0).pointee.activation } == [0, 0, 2])
        #expect(fixture.names.map(fixture.state) == [.idle, .idle, .idle])
        #expect(fixture.lbValues == [0, 0, 0])
    }

    @Test func topologyKeepsRoutesDomainsAndRedirectsAsBytes() {
        let fixture = BalancerFixture(["m1:dc1.n1", "m2:n2", "m3"], member: { name, settings in
            if name == "m2" { settings.redirect = "dc1.n1" }
            if name == "m3" { settings.redirect = "nowhere" }
        })
        let topology = fixture.topology
        let text = { (bytes: UnsafeRawBufferPointer) in String(decoding: bytes, as: UTF8.self) }
        #expect((0..<3).map { text(topology.route(of: $0)) } == ["dc1.n1", "n2", "m3"])
        #expect((0..<3).map { text(topology.domain(of: $0)) } == ["dc1", "", ""])
        #expect((0..<3).map { text(topology.redirect(of: $0)) } == ["", "dc1.n1", "nowhere"])
        #expect(topology.members.map(\.redirectTarget) == [nil, 0, nil])
        #expect(topology.members.map(\.hasRedirect) == [false, true, true])
        #expect(topology.failoverMember == 1)
        #expect(text(topology.route(of: 3)).isEmpty)
        #expect(text(topology.sessionCookieName) == "JSESSIONID")
        #expect(text(topology.sessionPathName) == ";jsessionid")
    }

    @Test func activationOverridesResolveNamesInMod_jkOrder() {
        var log = DiagnosticLog()
        let extensions = RuleExtensions(active: ["b"], disabled: ["a", "b", "x"], stopped: ["c"])
        let overrides = ActivationOverrides(extensions: extensions, memberNames: ["a", "b", "c", "d"], lbName: "lb",
                                            location: SourceLocation(file: "uriworkermap.properties", line: 3),
                                            log: &log)
        #expect(overrides.values == [.disabled, .disabled, .stopped, nil])
        #expect(log.entries.map(\.code) == [.inconsistentActivationOverride, .activationOverrideUnknownMember])
        #expect(overrides[9] == nil)
        #expect(!overrides.isEmpty)
        #expect(ActivationOverrides(memberCount: 2).isEmpty)
    }

    @Test func environmentFlagsFollowAtoi() {
        let bytes = RequestBytes()
        let flag = { (text: String?) in BalancerRequest.environmentFlag(text.map(bytes.view)) }
        #expect(flag(nil) == nil)
        #expect(flag("") == true)
        #expect(flag("0") == false)
        #expect(flag("1") == true)
        #expect(flag(" -3x") == true)
        #expect(flag("yes") == false)
        #expect(flag("4294967296") == false)
        #expect(flag("99999999999999999999999") == true)
        #expect(BalancerRequest.cAtoi(bytes.view("-2147483649")) == Int32.max)
    }

    @Test func gatherLetsTheEnvironmentOverrideRuleExtensions() {
        let fixture = BalancerFixture(["t1:node1", "t2:node2"])
        let bytes = RequestBytes()
        let cookies = ["JSESSIONID=A.node2"]
        var request = bytes.request(fixture.topology, cookies: cookies, extensions: RuleExtensions(stickyIgnore: true))
        #expect(request.stickyIgnore)
        #expect(request.sessionID == nil)
        request = bytes.request(fixture.topology, cookies: cookies, extensions: RuleExtensions(stickyIgnore: true),
                                stickyIgnore: "0")
        #expect(!request.stickyIgnore)
        #expect(request.sessionID?.routes == ["node2"])
        request = bytes.request(fixture.topology, cookies: cookies, stickyIgnore: "")
        #expect(request.sessionID == nil)
        request = bytes.request(fixture.topology, extensions: RuleExtensions(stateless: true), stateless: "0")
        #expect(!request.stateless)
        request = bytes.request(fixture.topology, stateless: "1")
        #expect(request.stateless)
        withExtendedLifetime(bytes) {}
    }

    @Test func gatherUsesRuleSessionNames() {
        let fixture = BalancerFixture(["t1:node1", "t2:node2"])
        let bytes = RequestBytes()
        let extensions = RuleExtensions(sessionCookie: "SID", sessionPath: "sid")
        var request = bytes.request(fixture.topology, uri: "/a;jsessionid=A.node1", cookies: ["SID=B.node2"],
                                    extensions: extensions)
        #expect(request.sessionID?.text == "B.node2")
        request = bytes.request(fixture.topology, uri: "/a;sid=C.node1", cookies: ["SID=B.node2"],
                                extensions: extensions)
        #expect(request.sessionID?.text == "C.node1")
        withExtendedLifetime(bytes) {}
    }

    @Test func gatherRecordsEmptyIdsAndRoutesAndSwitches() {
        let fixture = BalancerFixture(["t1:node1", "t2:node2"], lb: { $0.setSessionCookie = true })
        let bytes = RequestBytes()
        var request = bytes.request(fixture.topology, cookies: ["JSESSIONID=;"], secure: true)
        #expect(request.sessionID == nil)
        #expect(request.hadEmptySessionID)
        #expect(request.setSessionCookie)
        #expect(request.isSecure)
        #expect(request.activationOverrides == nil)
        request = bytes.request(fixture.topology, route: "node1")
        #expect(request.environmentRoute.map { String(decoding: $0, as: UTF8.self) } == "node1")
        #expect(request.sessionID?.text == ".node1")
        request = bytes.request(fixture.topology, route: "")
        #expect(request.environmentRoute == nil)
        request = bytes.request(fixture.topology, extensions: RuleExtensions(disabled: ["t1"]))
        #expect(request.activationOverrides?.values == [.disabled, nil])
        withExtendedLifetime(bytes) {}
    }

    @Test func stickySessionOffStillKeepsTheEnvironmentRouteForTheAttribute() {
        let fixture = BalancerFixture(["t1:node1", "t2:node2"], lb: { $0.stickySession = false })
        let bytes = RequestBytes()
        let request = bytes.request(fixture.topology, route: "node2")
        #expect(request.sessionID == nil)
        #expect(request.environmentRoute != nil)
        withExtendedLifetime(bytes) {}
    }

    @Test func workerAccountingEnforcesTheBusyLimit() {
        let arena = SlotArena(count: 1)
        guard let slot = arena.buffer.baseAddress else { return }
        #expect(WorkerSlotAccounting.exchangeStarting(worker: slot, busyLimit: 2))
        #expect(WorkerSlotAccounting.exchangeStarting(worker: slot, busyLimit: 2))
        #expect(!WorkerSlotAccounting.exchangeStarting(worker: slot, busyLimit: 2))
        #expect(slot.pointee.busy == 2)
        #expect(slot.pointee.max_busy == 2)
        #expect(slot.pointee.elected == 3)
        #expect(slot.pointee.errors == 1)
        WorkerSlotAccounting.exchangeEnded(worker: slot, replyTimeouts: 2, bytesReceived: 10, bytesSent: 5)
        WorkerSlotAccounting.exchangeEnded(worker: slot, replyTimeouts: 0, bytesReceived: UInt64.max, bytesSent: 0)
        WorkerSlotAccounting.exchangeEnded(worker: slot, replyTimeouts: Int.max, bytesReceived: 0, bytesSent: 0)
        #expect(slot.pointee.busy == 0)
        #expect(slot.pointee.reply_timeouts == Int32.max)
        #expect(slot.pointee.bytes_read == UInt64.max)
        #expect(slot.pointee.bytes_written == 5)
        slot.pointee.busy = Int32.max
        #expect(!WorkerSlotAccounting.exchangeStarting(worker: slot, busyLimit: 0))
        #expect(slot.pointee.busy == Int32.max)
    }
}
