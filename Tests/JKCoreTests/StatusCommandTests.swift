import CJKCore
import Testing
@testable import JKCore

/// The status worker's commands on a registry with shared slots in ordinary memory: output
/// shapes, edits and their log lines, reset, recover, guards and messages.
@Suite struct StatusCommandTests {
    @Test func listInTextHasModJksLinesAndFieldOrder() {
        let fixture = StatusRegistryFixture(statusTestProperties, mounts: [("/app/*", "lb"), ("/plain/*", "ajp1")])
        let body = fixture.run("mime=txt").body
        let lines = body.split(separator: "\n").map(String.init)
        #expect(lines.map { String($0.prefix { $0 != ":" }) } == [
            "Server", "Time", "Software", "Balancer Workers", "Balancer Worker", "Member", "Member", "Map",
            "AJP Workers", "AJP Worker", "Map", "Result"])
        #expect(lines[0] == "Server: name=www.example.com port=80")
        #expect(lines[3] == "Balancer Workers: count=1")
        let balancer = [
            "Balancer Worker: name=lb type=lb sticky_session=True sticky_session_force=False retries=2 recover_time=60",
            "error_escalation_time=30 max_reply_timeouts=0 method=Request lock=Optimistic member_count=2 good=2",
            "degraded=0 bad=0 busy=0 max_busy=0 map_count=1 time_to_maintenance_min=60 time_to_maintenance_max=120 ",
        ].joined(separator: " ")
        #expect(lines[4].hasPrefix(balancer))
        let member = [
            "Member: name=tomcat1 type=ajp13 host=127.0.0.1 port=8009 address=127.0.0.1:8009 source=undefined",
            "connection_pool_timeout=0 ping_timeout=10000 connect_timeout=0 prepost_timeout=0 reply_timeout=0 retries=2",
            "connection_ping_interval=0 recovery_options=0 busy_limit=0 max_packet_size=8192 activation=ACT lbfactor=1",
            "route=\"node1\" redirect=\"\" domain=\"\" distance=0 state=OK/IDLE lbmult=1 lbvalue=0 elected=0 sessions=0",
            "errors=0 client_errors=0 reply_timeouts=0 transferred=0 read=0 busy=0 max_busy=0 connected=0",
            "max_connected=0 time_to_recover_min=0 time_to_recover_max=0 last_reset_at=",
        ].joined(separator: " ")
        #expect(lines[5].hasPrefix(member))
        let map = [
            "Map: id=1 server=\"www.example.com:80\" uri=\"/app/*\" type=\"Wildchar\" source=\"JkMount\"",
            "reply_timeout=\"-1\" sticky_ignore=\"0\" stateless=\"0\" fail_on_status=\"\" active=\"\" disabled=\"\"",
            "stopped=\"\" use_server_errors=\"0\"",
        ].joined(separator: " ")
        #expect(lines[7] == map)
        #expect(lines.last == "Result: type=OK message=\"Action finished\"")
    }

    @Test func propKeepsModJksQuirks() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        fixture.slots[fixture.registry.balancers[0].topology.members[1].memberSlot].first_error_time = 1_735_732_500
        fixture.slots[fixture.registry.balancers[0].topology.members[1].memberSlot].state = MemberState.error.slotValue
        let keys = fixture.run("mime=prop").body.split(separator: "\n").map { String($0.prefix { $0 != "=" }) }
        #expect(keys.prefix(9) == ["worker.server_name", "worker.server_port", "worker.time_datetime", "worker.time_tz",
                                   "worker.time_unix", "worker.web_server", "worker.jk_version", "worker.lb_count",
                                   "worker.list"])
        #expect(keys.filter { $0 == "worker.lb.balance_workers" }.count == 2)
        #expect(keys.contains("worker.lb.error_time_unix seconds"))
        #expect(keys.contains("worker.lb.error_time_ago seconds"))
        #expect(keys.contains("worker.ajp1.list"))
        #expect(keys.suffix(2) == ["worker.result.type", "worker.result.message"])
        #expect(fixture.prop("worker.tomcat2.state") == "ERR")
        #expect(fixture.prop("worker.tomcat2.time_to_recover_min") == "60")
        #expect(fixture.prop("worker.lb.bad") == "1")
    }

    @Test func xmlPutsThePingIntervalBeforeRetriesAndUsesTheNamespaceSettings() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        var settings = StatusWorkerSettings()
        settings.ns = ""
        settings.xmlns = ""
        settings.doctype = "<!DOCTYPE status>"
        let body = fixture.run("mime=xml&cmd=show&w=lb&sw=tomcat1", settings: settings).body
        #expect(body.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE status>\n<status>\n<server\n"))
        let lines = body.split(separator: "\n").map(String.init)
        let start = lines.firstIndex(of: "      <member") ?? 0
        #expect(lines[start + 1] == "        name=\"tomcat1\"" && lines[start + 2] == "        type=\"ajp13\"")
        let ping = lines.firstIndex { $0.hasPrefix("        connection_ping_interval=") } ?? Int.max
        let retries = lines.firstIndex { $0.hasPrefix("        retries=") } ?? -1
        #expect(ping < retries)
        #expect(!body.contains("<balancers"))
        #expect(body.hasSuffix("  <result\n    type=\"OK\"\n    message=\"Action finished\"\n  />\n</status>\n"))
    }

    @Test func errorsAndChangesPrintOnlyTheResultInMachineFormats() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        #expect(fixture.run("mime=txt&cmd=show&w=nosuch").body == "Result: type=ERROR message=\"Could not find given worker\"\n")
        #expect(fixture.run("mime=prop&cmd=bogus").body == "worker.result.type=ERROR\nworker.result.message=Invalid command.\n")
        #expect(fixture.run("mime=bogus").body == "worker.result.type=ERROR\nworker.result.message=Invalid mime type.\n")
        #expect(fixture.run("mime=txt&cmd=update&w=lb&sw=tomcat1&vwa=1").body == "Result: type=OK message=\"Action finished\"\n")
        #expect(fixture.run("mime=txt&cmd=recover&w=lb").body
                == "Result: type=ERROR message=\"EMPTY sub worker param\"\n")
        #expect(fixture.run("mime=txt&cmd=edit&w=lb").body.hasPrefix("Server: name=www.example.com port=80\nResult: "))
    }

    @Test func memberEditsChangeTheSlotsAndAreLoggedWithOldAndNewValues() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let lb = fixture.registry.balancers[0]
        _ = fixture.run("cmd=update&mime=txt&w=lb&sw=tomcat1&vwa=d&vwf=3&vwn=a.b&vwd=2&vart=500")
        let member = fixture.slots[lb.topology.members[0].memberSlot]
        #expect(MemberActivation(slotValue: member.activation) == .disabled)
        #expect(member.lbfactor == 3 && member.distance == 2)
        #expect(member.config.string(.route) == "a.b" && member.config.string(.domain) == "a")
        #expect(fixture.slots[lb.topology.members[0].workerSlot].config.reply_timeout == 500)
        // lbfactor 3:1 gives multipliers 1:3.
        #expect(member.lb_mult == 1 && fixture.slots[lb.topology.members[1].memberSlot].lb_mult == 3)
        #expect(fixture.logged.contains("Status worker 'jkstatus' changing 'activation' for sub worker 'tomcat1' of lb "
                                        + "worker 'lb' from 'ACT' to 'DIS'"))
        #expect(fixture.logged.contains("Status worker 'jkstatus' changing 'lbfactor' for sub worker 'tomcat1' of lb "
                                        + "worker 'lb' from '1' to '3'"))
        // Every process (here: this one) applies the mirrored route on its next request.
        #expect(fixture.registry.segment!.header.pointee.config_generation > 0)
        #expect(String(decoding: lb.topology.route(of: 0), as: UTF8.self) == "a.b")
        #expect(fixture.registry.endpoints.first { $0.name == "tomcat1" }?.settings.replyTimeoutMs == 500)
    }

    @Test func guardsRefuseOutOfRangeValuesAndUnknownActivationMeansActive() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let lb = fixture.registry.balancers[0]
        _ = fixture.run("cmd=update&mime=txt&w=lb&sw=tomcat2&vwa=s")
        _ = fixture.run("cmd=update&mime=txt&w=lb&sw=tomcat2&vwa=zzz&vwf=0&vwd=-1&vamps=100")
        let member = fixture.slots[lb.topology.members[1].memberSlot]
        #expect(MemberActivation(slotValue: member.activation) == .active)
        #expect(member.lbfactor == 1 && member.distance == 0)
        #expect(fixture.slots[lb.topology.members[1].workerSlot].config.max_packet_size == 8192)
        _ = fixture.run("cmd=update&mime=txt&w=lb&sw=tomcat2&vamps=10000")
        #expect(fixture.slots[lb.topology.members[1].workerSlot].config.max_packet_size == 10240)
    }

    @Test func balancerSettingsBulkAttributesAndWildcards() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let lb = fixture.registry.balancers[0]
        _ = fixture.run("cmd=update&mime=txt&w=lb&vlm=b&vls=off&vlf=y&vlr=3&vlt=90&vll=p")
        #expect(lb.topology.settings.method == .busyness)
        #expect(!lb.topology.settings.stickySession && lb.topology.settings.stickySessionForce)
        #expect(lb.topology.settings.retries == 3 && lb.topology.settings.recoverTime == 90)
        #expect(fixture.prop("worker.lb.lock") == "Pessimistic")
        _ = fixture.run("cmd=update&mime=txt&w=lb&att=vwf&val0=2&val1=5")
        #expect(fixture.prop("worker.tomcat1.lbfactor") == "2" && fixture.prop("worker.tomcat2.lbfactor") == "5")
        _ = fixture.run("cmd=update&mime=txt&w=lb&sw=tomcat*&vwd=4")
        #expect(fixture.prop("worker.tomcat1.distance") == "4" && fixture.prop("worker.tomcat2.distance") == "4")
        #expect(fixture.run("mime=txt&cmd=reset&w=lb&sw=tomcat*").body.contains("wildcard not allowed"))
        // `?` is masked to `@` like every `?` in a value, as in mod_jk: it can never match.
        #expect(fixture.run("mime=txt&cmd=update&w=lb&sw=tomcat?&vwd=1").body.contains("could not find sub worker"))
        #expect(fixture.run("mime=txt&cmd=update&w=lb&att=vahst&val0=x").body.contains("ERROR"))
    }

    @Test func resetClearsCountersAndRecoverMarksOnlyErrMembers() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let lb = fixture.registry.balancers[0]
        let member = lb.topology.members[0]
        fixture.slots[member.memberSlot].state = MemberState.error.slotValue
        fixture.slots[member.memberSlot].errors = 4
        fixture.slots[member.workerSlot].elected = 9
        fixture.slots[lb.topology.members[1].memberSlot].lb_value = 77
        #expect(fixture.run("mime=txt&cmd=recover&w=lb&sw=tomcat2").body.contains("Marking worker for recovery failed"))
        #expect(fixture.run("mime=txt&cmd=recover&w=lb&sw=tomcat1").body.contains("type=OK"))
        #expect(MemberState(slotValue: fixture.slots[member.memberSlot].state) == .recover)
        #expect(fixture.slots[member.memberSlot].lb_value == 77)
        _ = fixture.run("mime=txt&cmd=reset&w=lb")
        #expect(MemberState(slotValue: fixture.slots[member.memberSlot].state) == .idle)
        #expect(fixture.slots[member.memberSlot].errors == 0 && fixture.slots[member.workerSlot].elected == 0)
        #expect(fixture.slots[member.memberSlot].lb_value == 0)
    }

    @Test func readOnlyUsersAndCrossSiteRequestsChangeNothing() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        var readOnly = StatusWorkerSettings()
        readOnly.readOnly = true
        let refused = "Result: type=ERROR message=\"This command is not allowed in read only mode.\"\n"
        #expect(fixture.run("mime=txt&cmd=update&w=lb&sw=tomcat1&vwa=1", settings: readOnly).body == refused)
        #expect(fixture.run("mime=txt&cmd=update&w=lb&sw=tomcat1&vwa=1&opt=32").body == refused)
        var users = StatusWorkerSettings()
        users.users = ["Alice"]
        #expect(fixture.run("mime=txt", settings: users).body.contains("Access denied."))
        #expect(fixture.run("mime=txt", settings: users, user: "alice").body.contains("Access denied."))
        users.userCaseInsensitive = true
        #expect(fixture.run("mime=txt", settings: users, user: "alice").body.contains("type=OK"))
        let crossSite = fixture.run("mime=txt&cmd=update&w=lb&sw=tomcat1&vwa=1", crossSite: "Origin: http://x")
        #expect(crossSite.status == 403)
        #expect(fixture.run("mime=txt&cmd=update&w=lb&sw=tomcat1&vwa=1", nonceValid: false).status == 403)
        #expect(fixture.prop("worker.tomcat1.activation") == "ACT")
    }

    @Test func dumpShowsStartupPropertiesWithoutSecrets() {
        let fixture = StatusRegistryFixture(statusTestProperties)
        let text = fixture.run("mime=txt&cmd=dump").body
        #expect(text.contains("\nConfiguration:\nworker.list=lb,jkstatus,ajp1\n"))
        #expect(!text.contains("hidden"))
        #expect(text.hasSuffix("Result: type=OK message=\"Action finished\"\n"))
        let xml = fixture.run("mime=xml&cmd=dump").body
        #expect(xml.contains("  <jk:configuration\n    worker.list=\"lb,jkstatus,ajp1\"\n"))
    }

    @Test func htmlEscapesEverythingAndUsesPostForms() {
        let fixture = StatusRegistryFixture(statusTestProperties + ["worker.tomcat2.redirect=<b>x\"</b>"])
        let html = fixture.run("cmd=list&w=%3Cscript%3E").body
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(!html.contains("<b>x"))
        #expect(html.contains("&lt;b&gt;x&quot;&lt;/b&gt;"))
        #expect(html.contains("method=\"post\""))
        #expect(html.contains("name=\"nonce\" value=\"\(StatusNonce.value(fixture.registry))\""))
        #expect(StatusNonce.value(fixture.registry).count == 32)
    }

    @Test func sizesAreFormattedLikeAprStrfsize() {
        #expect(StatusHTML.size(0) == "0")
        #expect(StatusHTML.size(972) == "972")
        #expect(StatusHTML.size(1024) == "1.0K")
        #expect(StatusHTML.size(15 * 1024) == "15K")
        #expect(StatusHTML.size(3 * 1024 * 1024 / 2) == "1.5M")
    }
}
