import CJKCore
import Foundation
import Testing
@testable import JKCore

/// Metrics, the JSON API, validation and drain progress of the status worker.
@Suite struct StatusOperationsTests {
    private func run(_ fixture: StatusRegistryFixture, _ query: String, method: String = "GET",
                     settings: StatusWorkerSettings = StatusWorkerSettings()) -> StatusResponse {
        var context = StatusCommandContext(settings: settings, registry: fixture.registry, statusName: "jkstatus",
                                           query: StatusQuery(query), remoteUser: nil, uri: "/jkstatus", crossSite: nil,
                                           nonceValid: true) { _, _ in }
        context.method = method
        return context.run(serverName: "h", serverPort: 80, webServer: "Apache")
    }

    @Test func prometheusFamiliesHaveHelpTypeAndCumulativeBuckets() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let worker = fixture.registry.balancers[0].topology.members[0].workerSlot
        let metrics = WorkerMetrics(fixture.slots.baseAddress! + worker)
        var stats = ForwardStats()
        stats.startUs = BackendSocket.nowUs() - 30_000
        stats.firstByteUs = stats.startUs + 7_000
        metrics.finished(.completed(status: 200), stats: stats)
        metrics.finished(.completed(status: 503), stats: stats)
        metrics.countFailure(.connectFailed(ECONNREFUSED))
        let body = run(fixture, "mime=prometheus").body
        let lines = body.split(separator: "\n").map(String.init)
        var declared = Set<String>()
        for line in lines {
            if line.hasPrefix("# TYPE ") { declared.insert(String(line.split(separator: " ")[2])) }
            guard !line.hasPrefix("#") else { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                declared.contains(name) ? name : (name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name)
            }
            #expect(declared.contains(family), "sample \(name) before its TYPE")
        }
        let member = "balancer=\"lb\",member=\"tomcat1\",route=\"node1\""
        #expect(lines.contains("swiftjk_member_responses_total{\(member),code=\"2xx\"} 2") == false)
        #expect(lines.contains("swiftjk_member_responses_total{\(member),code=\"2xx\"} 1"))
        #expect(lines.contains("swiftjk_member_responses_total{\(member),code=\"5xx\"} 1"))
        #expect(lines.contains("swiftjk_member_failures_total{\(member),kind=\"connect_refused\"} 1"))
        #expect(lines.contains("swiftjk_member_first_byte_seconds_bucket{\(member),le=\"0.005\"} 0"))
        #expect(lines.contains("swiftjk_member_first_byte_seconds_bucket{\(member),le=\"0.01\"} 2"))
        #expect(lines.contains("swiftjk_member_response_seconds_bucket{\(member),le=\"0.05\"} 2"))
        #expect(lines.contains("swiftjk_member_response_seconds_bucket{\(member),le=\"+Inf\"} 2"))
        #expect(lines.contains("swiftjk_member_response_seconds_count{\(member)} 2"))
        #expect(lines.contains("swiftjk_member_state{\(member),state=\"OK/IDLE\"} 1"))
        #expect(lines.contains("swiftjk_worker_requests_total{worker=\"ajp1\"} 0"))
        #expect(PrometheusWriter.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }

    @Test func jsonIsValidAndCarriesOperatorNames() throws {
        let fixture = StatusRegistryFixture(statusTestProperties + ["worker.tomcat2.redirect=\"<x>\""])
        let response = run(fixture, "mime=json")
        #expect(response.status == 200 && response.contentType == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
        let lbs = try #require(document["balancers"] as? [[String: Any]])
        let members = try #require(lbs.first?["members"] as? [[String: Any]])
        #expect(members.map { $0["state_name"] as? String } == ["ready", "ready"])
        #expect(members.map { $0["weight_percent"] as? Double } == [50, 50])
        #expect(members[1]["redirect"] as? String == "\"<x>\"")
        #expect(!response.body.contains("<x>"))
    }

    @Test func apiStatusCodes() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        #expect(run(fixture, "mime=json&cmd=nope").status == 400)
        #expect(run(fixture, "mime=json&cmd=show").status == 400)
        #expect(run(fixture, "mime=json&cmd=show&w=zz").status == 404)
        #expect(run(fixture, "mime=json&cmd=show&w=lb&sw=zz").status == 404)
        #expect(run(fixture, "mime=json&cmd=update&w=lb&sw=tomcat1&state=drain").status == 405)
        var readOnly = StatusWorkerSettings()
        readOnly.readOnly = true
        #expect(run(fixture, "mime=json&cmd=update&w=lb&sw=tomcat1&state=drain", method: "POST", settings: readOnly)
                    .status == 403)
        #expect(run(fixture, "mime=json&cmd=update&w=lb&sw=tomcat1&vwf=0", method: "POST").status == 422)
        #expect(run(fixture, "mime=json&cmd=recover&w=lb&sw=tomcat1", method: "POST").status == 409)
        let drained = run(fixture, "mime=json&cmd=update&w=lb&sw=tomcat1&state=drain", method: "POST")
        #expect(drained.status == 200 && drained.body.contains("\"state_name\":\"drain\""))
        let maint = run(fixture, "mime=json&cmd=update&w=lb&sw=tomcat1&state=maint", method: "POST")
        #expect(maint.body.contains("\"activation\":\"STP\""))
    }

    @Test func validationListsEveryProblemAndChecksWhereKeysApply() {
        let bad = StatusValidation.problems(StatusQuery("vwf=0&vwd=x&vwa=zz&vamps=100&vwn=" + String(repeating: "r", count: 64)),
                                            target: .members, memberCount: 2)
        #expect(bad.count == 5)
        #expect(StatusValidation.problems(StatusQuery("vwf=2&vwa=DIS&vart=10"), target: .members, memberCount: 2).isEmpty)
        #expect(StatusValidation.problems(StatusQuery("vwf=2"), target: .balancer, memberCount: 2).count == 1)
        #expect(StatusValidation.problems(StatusQuery("vls=maybe&vlm=x"), target: .balancer, memberCount: 2).count == 2)
        #expect(StatusValidation.problems(StatusQuery("att=vwf&val0=1&val5=2"), target: .members, memberCount: 2).count == 1)
        #expect(StatusValidation.problems(StatusQuery("att=vahst&val0=x"), target: .members, memberCount: 2).count == 1)
        #expect(StatusValidation.problems(StatusQuery(""), target: .worker, memberCount: 0).count == 1)
        #expect(StatusValidation.strictInteger("12") == 12 && StatusValidation.strictInteger("1 2") == nil)
        #expect(StatusValidation.strictInteger("99999999999") == nil)
    }

    @Test func drainIsDoneOnlyWhenIdleAndQuiet() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let snapshot = StatusSnapshot.collect(fixture.registry, rating: StatusRating(good: ["a"], bad: ["e"]), now: 1000)
        var member = snapshot.balancers[0].members[0]
        #expect(!StatusDrain.progress(member, now: 1000, quietSeconds: 10).draining)
        member.activation = .disabled
        member.lastStickyTime = 995
        #expect(!StatusDrain.progress(member, now: 1000, quietSeconds: 10).done)
        #expect(StatusDrain.progress(member, now: 1005, quietSeconds: 5).done)
        member.counters.busy = 1
        #expect(!StatusDrain.progress(member, now: 2000, quietSeconds: 5).done)
        member.counters.busy = 0
        member.lastStickyTime = 0
        #expect(StatusDrain.progress(member, now: 1000, quietSeconds: 10).done)
        #expect(MemberActivation(operatorName: "maint") == .stopped && MemberActivation(operatorName: "x") == nil)
    }

    @Test func failureKindsAndBuckets() {
        #expect(WorkerMetrics.kind(of: .connectFailed(ECONNREFUSED)) == Int(SJK_FAIL_CONNECT_REFUSED))
        #expect(WorkerMetrics.kind(of: .connectFailed(ETIMEDOUT)) == Int(SJK_FAIL_CONNECT_TIMEOUT))
        #expect(WorkerMetrics.kind(of: .connectFailed(0)) == Int(SJK_FAIL_CPING))
        #expect(WorkerMetrics.kind(of: .backendClosed(ECONNRESET)) == Int(SJK_FAIL_RESET))
        #expect(WorkerMetrics.kind(of: .malformed(AJPError(.unknownMessageType))) == Int(SJK_FAIL_PROTOCOL))
        #expect(WorkerMetrics.bucket(0) == 0 && WorkerMetrics.bucket(5_000) == 0 && WorkerMetrics.bucket(5_001) == 1)
        #expect(WorkerMetrics.bucket(Int64.max) == Int(SJK_HISTOGRAM_BUCKETS) - 1)
        #expect(WorkerMetrics.bucketLabels.count == Int(SJK_HISTOGRAM_BUCKETS))
    }
}

/// persist_file: edits saved after each change, restored at start unless the configuration changed.
@Suite struct RuntimePersistenceTests {
    private func path() -> String { "/tmp/sjk-persist-\(getpid())-\(Int.random(in: 0..<1_000_000)).state" }

    @Test func savedEditsComeBackAndAChangedConfigurationWins() throws {
        let file = path()
        defer { unlink(file) }
        let properties = statusTestProperties + ["worker.jkstatus.persist_file=\(file)"]
        let first = StatusRegistryFixture(properties)
        _ = first.run("mime=txt&cmd=update&w=lb&sw=tomcat1&vwa=1&vwf=4")
        _ = first.run("mime=txt&cmd=update&w=ajp1&vart=700")
        let saved = try #require(FileText.read(file))
        #expect(saved.contains("member\tlb/tomcat1\tactivation\tACT\tDIS"))
        #expect(saved.contains("member\tlb/tomcat1\tlbfactor\t1\t4"))
        #expect(saved.contains("worker\tajp1\treply_timeout\t0\t700"))

        let second = StatusRegistryFixture(properties)
        let messages = second.registry.restorePersistedEdits()
        #expect(messages == [Registry.PersistenceMessage(text: "restored 3 runtime edit(s) from \(file)", warning: false)])
        #expect(second.prop("worker.tomcat1.activation") == "DIS" && second.prop("worker.tomcat1.lbfactor") == "4")
        #expect(second.prop("worker.tomcat2.lbmult") == "4", "multipliers follow the restored lbfactor")
        second.registry.refreshIfChanged()
        #expect(second.registry.endpoints.first { $0.name == "ajp1" }?.settings.replyTimeoutMs == 700)

        let changed = StatusRegistryFixture(properties + ["worker.ajp1.reply_timeout=900"])
        let warnings = changed.registry.restorePersistedEdits().filter(\.warning)
        #expect(warnings.count == 1)
        #expect(warnings.first?.text.contains("ajp1 reply_timeout: workers.properties now says '900' (it said '0'") == true)
        #expect(changed.prop("worker.ajp1.reply_timeout", "mime=prop&cmd=show&w=ajp1") == "900")
        #expect(changed.prop("worker.tomcat1.activation") == "DIS")
    }

    @Test func withoutPersistFileNothingIsWrittenOrRead() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        #expect(fixture.registry.persistFile == nil)
        #expect(fixture.registry.savePersistedEdits() == nil)
        #expect(fixture.registry.restorePersistedEdits().isEmpty)
        #expect("a%09b".replacingAll("%09", "\t") == "a\tb")
    }
}
