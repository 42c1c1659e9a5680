import Testing
@testable import JKCore

/// Random configurations built from the fragments that trip parsers up: loading must never trap, and the
/// result must be consistent with the log.
@Suite struct WorkersConfigurationRobustnessTests {
    /// SplitMix64, so every run sees the same inputs.
    private struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func pick<T>(_ items: [T]) -> T {
            items[Int(next() % UInt64(items.count))]
        }
    }

    private static let names = ["w1", "w2", "lb", "lb2", "st", "a.b", "", "\\", "tpl",
                                String(repeating: "n", count: 70)]
    private static let attributes = AttributeCatalog.currentInOrder + ["list", "maintain", "colour", "cachesize",
                                                                       "balanced_workers", "jvm_route", ""]
    private static let values = [
        "lb", "status", "ajp13", "ajp14", "AJP13", "w1,w2", "lb,\\", "$(x)", "$(", "$()", "$(y)$(x)", "#", "a#b",
        "0", "-1", "2147483647", "4294967297", "99999999999999999999", "16k", "4096m", "abc", "1*2", "true", "maybe",
        "worker.tpl", "worker.w1", "worker.lb", "worker.a", "A", "CPI", "host:80", "[::1]:80", "::1", "=", "==",
        String(repeating: "v", count: 70), "s,e", "a.o", "-", "é", "\u{0}", " ", "\t,\t",
    ]

    @Test func randomConfigurationsNeverTrap() {
        var generator = Generator(state: 0x5EED)
        for _ in 0..<400 {
            var text: [String] = []
            for _ in 0..<Int(generator.next() % 14) {
                switch generator.next() % 6 {
                case 0: text.append("worker.list=" + generator.pick(Self.values) + "," + generator.pick(Self.names))
                case 1: text.append(generator.pick(["x", "y", "myport"]) + "=" + generator.pick(Self.values))
                case 2: text.append(generator.pick(["#comment", "", "garbage line", "  =value", "worker."]))
                default:
                    text.append("worker." + generator.pick(Self.names) + "." + generator.pick(Self.attributes) + "="
                        + generator.pick(Self.values) + generator.pick(["", " # c", "#c", "\r", "\\"]))
                }
            }
            let directives = generator.next() % 4 == 0 ? ["worker.list=" + generator.pick(Self.names)] : []
            let result = loadWorkers(text.joined(separator: "\n"), directives: directives,
                                     environment: ["y": "$(x)", "x": "1"])
            #expect((result.configuration == nil) == result.log.hasErrors)
            if let configuration = result.configuration {
                #expect(Set(configuration.workers.map(\.name)).count == configuration.workers.count)
                #expect(configuration.listed.allSatisfy { configuration.index(ofWorker: $0) != nil })
                for worker in configuration.workers {
                    guard case .lb(let lb) = worker.kind else { continue }
                    #expect(lb.members.allSatisfy { name in
                        guard let index = configuration.index(ofWorker: name),
                              case .ajp13 = configuration.workers[index].kind else { return false }
                        return true
                    })
                }
            }
            #expect(result.log.entries.allSatisfy { $0.location != nil })
        }
    }
}
