"""The soak's short version (3 minutes; `scripts/soak 30` runs the full one): mixed traffic through
the Appendix B balancer with a graceful restart of httpd every 30 s and one Tomcat restart. No
request may fail, no child may crash, and nothing may accumulate across generations: the parent's
file descriptors and shared mappings and the JkShmFile markers stay at their first count. Memory
figures are reported (Tests/out/soak-ci.json), not asserted."""

import pytest

from harness import ROOT
from soak import soak, summary


@pytest.mark.parametrize("mpm", ["event"])
def test_soak_with_gracefuls_and_a_tomcat_restart(mpm):
    r = soak(3, mpm=mpm, out=ROOT / f"Tests/out/soak-ci-{mpm}.json", tomcat_every=60)
    print("\n" + summary(r))
    assert r["gracefuls"] >= 5 and r["tomcat_restarts"] >= 1
    assert r["crashed_children"] == []
    assert r["failed"] == 0, r["failure_samples"]
    assert len(r["parent_fds"]) == 1, f"parent descriptors changed across generations: {r['parent_fds']}"
    assert len(r["parent_shared_mappings"]) == 1, r["parent_shared_mappings"]
    assert r["shm_markers"] == [1]
