"""The files SwiftJK writes and the lock it shares, under fault (issue 10): JkLogFile on a full or
missing file system, JkShmFile in a missing directory, replaced by a symlink, truncated or removed
while httpd runs, and a process that dies while it holds the shared-memory lock. Each case: a clear
error where httpd cannot start, otherwise every request served, no child crashed, nothing outside
the configured files touched. mod_jk runs the same cases where it has the same file."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import Apache, Backend, make_workdir, wait_until

CONNECTORS = ["modjk", "swiftjk"]


def get(apache, path, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def site(work, connector, backend, jk_conf="", log_level="info", extra_workers="", name=None):
    """An httpd (event MPM) with a balancer of one member and a status worker."""
    workers = (f"worker.list=lb,jkstatus\nworker.lb.type=lb\nworker.lb.balance_workers=m1\n"
               f"worker.m1.host=127.0.0.1\nworker.m1.port={backend.port}\nworker.jkstatus.type=status\n"
               + extra_workers)
    apache = Apache(work, connector, "event", workers=workers, name=name,
                    jk_conf=f"JkMount /lb/* lb\nJkMount /jkstatus jkstatus\n{jk_conf}")
    text = apache.conf.read_text().replace("JkLogLevel info", f"JkLogLevel {log_level}")
    apache.conf.write_text(text)
    return apache


def serve_all(apache, count=50):
    """Sends `count` requests through the balancer; returns their statuses."""
    return [get(apache, f"/lb/r{i}")[0] for i in range(count)]


def set_directive(apache, name, value):
    """Replaces the generated `name` line of the configuration with `name value`."""
    lines = [f"{name} {value}" if line.startswith(name + " ") else line for line in apache.conf.read_text().splitlines()]
    apache.conf.write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- JkLogFile

@pytest.mark.parametrize("connector", CONNECTORS)
def test_jk_log_on_a_device_that_is_always_full(connector):
    """/dev/full accepts the open and fails every write with ENOSPC: requests are still served."""
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, connector, backend, log_level="debug", jk_conf='JkRequestLogFormat "%w %V %T %U %s"\n')
    set_directive(apache, "JkLogFile", "/dev/full")
    apache.start()
    try:
        assert serve_all(apache) == [200] * 50
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()


@pytest.fixture
def small_tmpfs():
    """A 256 KiB tmpfs of our own (needs root and a kernel that lets us mount)."""
    mount_point = make_workdir("sjk-tmpfs-")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(mount_point)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.strip()}")
    try:
        yield Path(mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.parametrize("connector", CONNECTORS)
def test_jk_log_on_a_file_system_that_fills_up_and_frees_again(connector, small_tmpfs):
    """The log's file system fills up while every request writes a JkRequestLogFormat line: every
    request is still served; once space is freed, log lines appear again."""
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, connector, backend, log_level="debug", jk_conf='JkRequestLogFormat "%w %V %T %U %s"\n')
    log = small_tmpfs / "mod_jk.log"
    set_directive(apache, "JkLogFile", str(log))
    apache.start()
    filler = small_tmpfs / "filler"
    try:
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        full_size = log.stat().st_size
        assert serve_all(apache, 100) == [200] * 100
        assert log.stat().st_size - full_size < 8192, "the file system was full"
        filler.unlink()
        time.sleep(0.2)
        assert serve_all(apache, 50) == [200] * 50
        assert wait_until(lambda: log.stat().st_size > full_size + 1000, 5), "logging resumes when space is back"
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()


def test_jk_log_in_a_missing_directory_stops_the_start_with_the_path_named():
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, "swiftjk", backend)
    missing = Path(work) / "no-such-dir/mod_jk.log"
    set_directive(apache, "JkLogFile", str(missing))
    try:
        with pytest.raises(RuntimeError) as failure:
            apache.start()
        assert str(missing) in str(failure.value) + apache.error_log()
    finally:
        apache.stop()
        backend.stop()


# ---------------------------------------------------------------- JkShmFile

@pytest.mark.parametrize("connector", CONNECTORS)
def test_shm_file_in_a_missing_directory_stops_the_start(connector):
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, connector, backend)
    set_directive(apache, "JkShmFile", str(Path(work) / "no-such-dir/jk-runtime-status"))
    try:
        with pytest.raises(RuntimeError):
            apache.start()
        if connector == "swiftjk":
            assert "SJK0602: cannot create the shared memory file" in apache.error_log()
            assert "no-such-dir/jk-runtime-status" in apache.error_log()
    finally:
        apache.stop()
        backend.stop()


def shm_files(apache):
    return sorted((apache.dir / "logs").glob("jk-runtime-status*"))


def test_shm_file_replaced_by_a_symlink_is_removed_not_followed():
    """Someone replaces the JkShmFile by a symlink to a file of theirs; at the next graceful
    restart SwiftJK removes the link (unlink never follows one; the new file is then created with
    O_EXCL | O_NOFOLLOW, so a link planted between the two steps would fail the start instead of
    being followed) and creates a new 0600 file: the target is untouched."""
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, "swiftjk", backend).start()
    victim = Path(work) / "victim.txt"
    victim.write_text("precious\n")
    try:
        [marker] = shm_files(apache)
        marker.unlink()
        marker.symlink_to(victim)
        os.kill(apache.pid, signal.SIGUSR1)
        assert wait_until(lambda: apache.error_log().count("resuming normal operations") >= 2, 20)
        assert serve_all(apache, 10) == [200] * 10
        assert victim.read_text() == "precious\n"
        [new_marker] = shm_files(apache)
        assert not new_marker.is_symlink()
        assert new_marker.stat().st_mode & 0o777 == 0o600
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()


def test_shm_file_truncated_or_removed_while_serving():
    """A clean-up job truncates the JkShmFile, later removes it: the segment is an anonymous
    mapping the file only marks, so the balancer and the status worker go on (with mod_jk's
    file-backed mapping, touching truncated pages kills the child with SIGBUS)."""
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, "swiftjk", backend).start()
    try:
        assert serve_all(apache, 10) == [200] * 10
        [marker] = shm_files(apache)
        os.truncate(marker, 0)
        assert serve_all(apache, 20) == [200] * 20
        assert get(apache, "/jkstatus?mime=prop")[0] == 200
        marker.unlink()
        assert serve_all(apache, 20) == [200] * 20
        status, body = get(apache, "/jkstatus?mime=prop")
        assert status == 200 and b"worker.m1.state=" in body
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()


# ---------------------------------------------------------------- the shared lock

LOCK_OFFSET = 24   # sjk_shm_header_t.lock: after magic[8], size, slot_count, last_maintain_time

HOLDER = r"""
import ctypes, mmap, os, signal, sys, time
path, length, offset, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
fd = os.open(path, os.O_RDWR)
mapping = mmap.mmap(fd, length)
view = (ctypes.c_char * length).from_buffer(mapping)
mutex = ctypes.c_void_p(ctypes.addressof(view) + offset)
libc = ctypes.CDLL(None)
result = libc.pthread_mutex_lock(mutex)
print("locked", result, flush=True)
if hold < 0:
    os.kill(os.getpid(), signal.SIGKILL)
time.sleep(hold)
libc.pthread_mutex_unlock(mutex)
print("released", flush=True)
"""


def segment_of(pid):
    """The /proc/<pid>/map_files entry and length of SwiftJK's segment in process `pid`."""
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "rw-s" and "/dev/zero" in line:
            start, end = (int(x, 16) for x in fields[0].split("-"))
            path = f"/proc/{pid}/map_files/{fields[0]}"
            with open(path, "rb") as f:
                if f.read(8) == b"SJKSHM02":
                    return path, end - start
    raise AssertionError("no SwiftJK segment mapped")


def hold_lock(pid, hold):
    """Starts a process that maps the segment, takes its lock and prints `locked`; it then dies
    with SIGKILL (hold < 0) or releases the lock after `hold` seconds."""
    path, length = segment_of(pid)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, path, str(length), str(LOCK_OFFSET), str(hold)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().split() == ["locked", "0"]
    return proc


@pytest.fixture
def locked_site():
    if os.geteuid() != 0:
        pytest.skip("reading another process's mappings (/proc/PID/map_files) needs root")
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, "swiftjk", backend).start()
    yield apache
    apache.stop()
    backend.stop()


def test_the_lock_the_test_takes_is_the_one_the_status_worker_waits_for(locked_site):
    """Control for the next test: while a live process holds the lock for 3 s, the status page
    waits for it (so the lock taken is really the segment's)."""
    apache = locked_site
    holder = hold_lock(apache.pid, 3)
    started = time.monotonic()
    assert get(apache, "/jkstatus?mime=prop")[0] == 200
    assert time.monotonic() - started >= 1.5
    assert holder.wait(10) == 0


def test_a_process_killed_while_holding_the_lock_does_not_stop_the_others(locked_site):
    """The robust mutex: the next process to lock gets EOWNERDEAD, makes the lock consistent, and
    everything goes on — status pages, balancer requests, more deaths."""
    apache = locked_site
    for _ in range(3):
        holder = hold_lock(apache.pid, -1)
        assert holder.wait(10) == -signal.SIGKILL
        started = time.monotonic()
        assert get(apache, "/jkstatus?mime=prop", timeout=10)[0] == 200
        assert time.monotonic() - started < 5
        assert serve_all(apache, 10) == [200] * 10
    assert apache.crashed_children() == []


def test_mod_jk_children_die_of_sigbus_when_its_shm_file_is_truncated():
    """The oracle for the test above: mod_jk maps its JkShmFile, so truncating it kills the child
    that serves the next request (measured: `exit signal Bus error (7)`)."""
    work = make_workdir()
    backend = Backend(work)
    apache = site(work, "modjk", backend).start()
    try:
        assert serve_all(apache, 5) == [200] * 5
        [segment] = [p for p in shm_files(apache) if p.suffix != ".lock"]
        os.truncate(segment, 0)
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            serve_all(apache, 5)
        assert wait_until(lambda: any("Bus error" in line for line in apache.crashed_children()), 5)
    finally:
        apache.stop()
        backend.stop()
