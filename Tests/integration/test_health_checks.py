"""Active health checks (lb `health_check_interval`, `health_check_passes`): after a dead member's
backend comes back, one httpd process probes it with CPing on a fresh connection and puts it back in
rotation within a few seconds, without any user request used as the probe; with
`health_check_interval=0` (mod_jk's behaviour) it stays in ERR until recover_time and a request."""

import time

import pytest

from harness import Apache, Backend, make_workdir
from health_support import get, lb_workers, site_with_dead_flaky, state, wait_for


def workers(live, flaky, interval):
    return lb_workers(live, flaky, [f"worker.lb.health_check_interval={interval}", "worker.lb.health_check_passes=2"])


def node(apache, path):
    status, name = get(apache, path)
    return name or str(status)


@pytest.mark.parametrize("mpm", ["prefork", "event"])
def test_member_rejoins_within_5_seconds_without_a_user_request(mpm):
    work = make_workdir("sjk-health-")
    live = Backend(work, "live")
    flaky = Backend(work, "flaky")
    port = flaky.port
    apache = Apache(work, "swiftjk", mpm, workers=workers(live.port, port, 1),
                    jk_conf="JkMount /app/* lb\nJkMount /jkstatus* jkstatus\n").start()
    try:
        flaky.stop()
        for _ in range(4):
            assert node(apache, "/app/x") == "live"
        assert state(apache) == "ERR"
        time.sleep(3)
        assert state(apache) == "ERR", "no rejoin while the backend is down"
        flaky = Backend(work, "flaky", port=port)
        back = time.monotonic()
        while state(apache) == "ERR" and time.monotonic() - back < 10:
            time.sleep(0.2)
        rejoin = time.monotonic() - back
        print(f"{mpm}: rejoin {rejoin:.1f} s after the backend accepted AJP again")
        assert state(apache) in ("OK/IDLE", "OK") and rejoin <= 5.0
        assert flaky.forward_requests() == [], "the probes are CPings, not user requests"
        assert any(p.get("type") == "cping" for p in flaky.packets())
        assert "flaky" in {node(apache, "/app/y") for _ in range(6)}
        assert "back in rotation" in apache.jk_log()
    finally:
        apache.stop()
        live.stop()
        flaky.stop()
    assert not apache.crashed_children()


def test_without_health_checks_the_member_waits_for_recover_time_as_in_mod_jk():
    work = make_workdir("sjk-health-off-")
    live = Backend(work, "live")
    flaky = Backend(work, "flaky")
    port = flaky.port
    apache = Apache(work, "swiftjk", "prefork", workers=workers(live.port, port, 0),
                    jk_conf="JkMount /app/* lb\nJkMount /jkstatus* jkstatus\n").start()
    try:
        flaky.stop()
        for _ in range(4):
            node(apache, "/app/x")
        assert state(apache) == "ERR"
        flaky = Backend(work, "flaky", port=port)
        time.sleep(5)
        assert state(apache) == "ERR"
        assert flaky.packets() == []
    finally:
        apache.stop()
        live.stop()
        flaky.stop()


@pytest.mark.parametrize("slow_start,low,high", [(0, 0.40, 0.60), (30, 0.03, 0.20)])
def test_slow_start_ramps_a_rejoined_member_up(slow_start, low, high):
    """lb `slow_start` (default 10 s; 0 = mod_jk): right after the health check puts the member back,
    it gets about a tenth of its share of new requests instead of half of them."""
    work = make_workdir("sjk-slow-start-")
    apache, live, port = site_with_dead_flaky(work, ["worker.lb.health_check_interval=1",
                                                     "worker.lb.health_check_passes=2",
                                                     f"worker.lb.slow_start={slow_start}"])
    flaky = Backend(work, "flaky", port=port)
    try:
        assert wait_for(lambda: state(apache) != "ERR", 10)
        nodes = [node(apache, "/app/y") for _ in range(60)]
        share = nodes.count("flaky") / len(nodes)
        print(f"slow_start={slow_start}: the rejoined member got {share:.0%} of 60 new requests")
        assert set(nodes) <= {"live", "flaky"}
        assert low <= share <= high, nodes
    finally:
        apache.stop()
        live.stop()
        flaky.stop()
    assert not apache.crashed_children()
