import CJKCore
import Testing
@testable import JKCore

/// Slot memory for balancer tests: ordinary heap memory laid out like the shared segment.
final class SlotArena {
    let buffer: UnsafeMutableBufferPointer<sjk_slot_t>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: sjk_slot_t())
    }

    deinit { buffer.deallocate() }
}

/// One lb with its slots in ordinary memory: slot 0 is the lb, slots 1...n the members' ajp
/// workers, slots n+1...2n the (lb, member) pairs.
struct BalancerFixture {
    let arena: SlotArena
    let slots: BalancerSlots
    let names: [String]
    /// The per-process rotation start (one process unless a test makes more).
    var nextOffset = 0

    /// Members given as `name` or `name:route`; `configure` adjusts each member's settings.
    init(_ members: [String], maintain: Int = 60, now: Int64 = 1000,
         lb configureLB: (inout LoadBalancerSettings) -> Void = { _ in },
         member configure: (String, inout AJPWorkerSettings) -> Void = { _, _ in }) {
        var inputs: [BalancerTopology.MemberInput] = []
        var names: [String] = []
        for (index, spec) in members.enumerated() {
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            let name = parts[0]
            var settings = AJPWorkerSettings(workerName: name)
            if parts.count > 1 {
                settings.route = parts[1]
                if let dot = parts[1].firstIndex(of: ".") { settings.domain = String(parts[1][..<dot]) }
            }
            configure(name, &settings)
            inputs.append(.init(name: name, settings: settings, memberSlot: members.count + 1 + index,
                                workerSlot: 1 + index))
            names.append(name)
        }
        var settings = LoadBalancerSettings(members: names)
        configureLB(&settings)
        let topology = BalancerTopology(settings: settings, members: inputs, balancerSlot: 0,
                                        maintainInterval: maintain)
        arena = SlotArena(count: 1 + 2 * members.count)
        guard let slots = BalancerSlots(segment: arena.buffer, topology: topology) else {
            fatalError("fixture slots out of range")
        }
        self.slots = slots
        self.names = names
        slots.initialize(now: now)
    }

    var topology: BalancerTopology { slots.topology }

    func index(_ name: String) -> Int {
        guard let index = names.firstIndex(of: name) else { fatalError("no member \(name)") }
        return index
    }

    func member(_ name: String) -> UnsafeMutablePointer<sjk_slot_t> { slots.member(index(name)) }
    func worker(_ name: String) -> UnsafeMutablePointer<sjk_slot_t> { slots.worker(index(name)) }
    func state(_ name: String) -> MemberState { MemberState(slotValue: member(name).pointee.state) }
    func setState(_ name: String, _ state: MemberState) { member(name).pointee.state = state.slotValue }
    func lbValue(_ name: String) -> UInt64 { member(name).pointee.lb_value }
    func setActivation(_ name: String, _ activation: MemberActivation) {
        member(name).pointee.activation = activation.slotValue
    }
    var lbValues: [UInt64] { names.map(lbValue) }

    /// Runs `body` with a selection view whose local states are a copy of the shared ones.
    func withView<Result>(overrides: ActivationOverrides? = nil, _ body: (SelectionView) -> Result) -> Result {
        BalancerService.withLocalStates(memberCount: names.count) { states in
            states.copy(from: slots)
            return body(SelectionView(slots: slots, states: states, overrides: overrides ?? .none))
        }
    }
}

/// What the test "backend" does with an attempt.
enum Reply {
    /// No pool endpoint.
    case noEndpoint
    /// The exchange ran and ended like this.
    case report(AttemptReport)

    static let ok = Reply.report(AttemptReport(result: .success, status: 200))
    static let refused = Reply.report(AttemptReport(result: .failure, status: 503))
}

/// One step the service asked the driver to do.
enum Step: Equatable, CustomStringConvertible {
    case tried(String)
    case slept(Int)
    case gaveUp(Int32)
    case finished(Int32)

    var description: String {
        switch self {
        case .tried(let name): name
        case .slept(let ms): "sleep \(ms)"
        case .gaveUp(let status): "give up \(status)"
        case .finished(let status): "done \(status)"
        }
    }
}

/// The record of one request driven through `BalancerService`.
struct Trace {
    var steps: [Step] = []
    var attempts: [BalancerService.Attempt] = []
    var routes: [String?] = []
    var transitions: [MemberStateMachine.Outcome] = []
    var didForceRecovery = false

    /// Just the member names tried, in order.
    var tried: [String] { steps.compactMap { if case .tried(let name) = $0 { name } else { nil } } }
}

extension BalancerFixture {
    /// Drives one request like the I/O driver would (the lock is implicit: single thread).
    mutating func serve(_ request: BalancerRequest = BalancerRequest(), now: Int64 = 1000,
                        hasFreeEndpoint: (Int) -> Bool = { _ in true },
                        reply: (String) -> Reply = { _ in .ok }) -> Trace {
        let slots = self.slots
        let names = self.names
        var offset = nextOffset
        let trace = BalancerService.withLocalStates(memberCount: names.count) { states in
            var trace = Trace()
            var service = BalancerService(slots: slots, request: request, states: states,
                                          hasFreeEndpoint: hasFreeEndpoint)
            for _ in 0..<100 {
                switch service.nextAttempt(nextOffset: &offset) {
                case .sleep(let ms):
                    trace.steps.append(.slept(ms))
                case .giveUp(let status):
                    trace.steps.append(.gaveUp(status))
                    trace.didForceRecovery = service.didForceRecovery
                    return trace
                case .tryMember(let attempt):
                    let name = names[attempt.member]
                    trace.steps.append(.tried(name))
                    trace.attempts.append(attempt)
                    trace.routes.append(service.routeBytes(for: attempt.route).map {
                        String(decoding: $0, as: UTF8.self)
                    })
                    let verdict: BalancerService.Verdict
                    switch reply(name) {
                    case .noEndpoint:
                        verdict = service.attemptFinished(AttemptReport(result: .noFreeEndpoint), now: now)
                    case .report(let report):
                        if service.exchangeStarting() {
                            // As the driver: the unlocked end first, the locked one when it declines.
                            verdict = service.finishedWithoutLock(report) ?? service.attemptFinished(report, now: now)
                        } else {
                            verdict = .tryAnother
                        }
                    }
                    if let transition = service.lastTransition { trace.transitions.append(transition) }
                    if verdict == .finished {
                        trace.steps.append(.finished(service.lastStatus))
                        trace.didForceRecovery = service.didForceRecovery
                        return trace
                    }
                }
            }
            Issue.record("the service did not end within 100 steps")
            return trace
        }
        nextOffset = offset
        return trace
    }

    /// The first member each of `count` requests (all answered OK) is sent to.
    mutating func schedule(_ count: Int, _ request: BalancerRequest = BalancerRequest()) -> [String] {
        (0..<count).map { _ in serve(request).tried.first ?? "-" }
    }
}

/// A session id owning its bytes.
func session(_ text: String) -> SessionID { SessionID(bytes: Array(text.utf8)) }

/// Byte views for request facts, alive as long as this object.
final class RequestBytes {
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    deinit { buffers.forEach { $0.deallocate() } }

    func view(_ text: String) -> UnsafeRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(text.utf8.count, 1), alignment: 1)
        buffer.copyBytes(from: text.utf8)
        buffers.append(buffer)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<text.utf8.count])
    }

    func string(_ text: String) -> sjk_str_t { sjk_str_t(view(text)) }

    /// `BalancerRequest.gather` over text inputs.
    func request(_ topology: BalancerTopology, uri: String = "/app/x", cookies: [String] = [],
                 extensions: RuleExtensions = RuleExtensions(), route: String? = nil, stickyIgnore: String? = nil,
                 stateless: String? = nil, secure: Bool = false) -> BalancerRequest {
        var headers = [sjk_pair_t(name: string("Host"), value: string("localhost"))]
        headers += cookies.map { sjk_pair_t(name: string("Cookie"), value: string($0)) }
        var log = DiagnosticLog()
        let overrides = ActivationOverrides(extensions: extensions, memberNames: topology.members.map(\.name),
                                            lbName: "lb", location: nil, log: &log)
        let uriView = view(uri)
        return headers.withUnsafeBufferPointer { headers in
            BalancerRequest.gather(topology: topology, rule: RuleExtensionsRef(extensions),
                                   activationOverrides: overrides,
                                   environmentRoute: route.map(view), environmentStickyIgnore: stickyIgnore.map(view),
                                   environmentStateless: stateless.map(view), uri: uriView, headers: headers,
                                   isSecure: secure)
        }
    }
}
