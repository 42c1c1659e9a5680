"""Shared pieces of the URI-mapping tests (test_mapping.py, test_mapping_vhosts.py): the recording
backends fixture, the workers.properties text and the request helpers."""

import http.client
import os
import time

import pytest

from harness import Apache, Backend, free_port, make_workdir, wait_until

CONNECTORS = ["modjk", "swiftjk"]


# ---------------------------------------------------------------------------------------------
# helpers

@pytest.fixture(scope="module")
def backends():
    """Two recording backends; the worker names equal the backend names (w1, w2)."""
    work = make_workdir()
    b1, b2 = Backend(work, "w1"), Backend(work, "w2")
    yield {"w1": b1, "w2": b2}
    b1.stop()
    b2.stop()


def workers_text(backends):
    return "".join(f"worker.list={name}\nworker.{name}.type=ajp13\nworker.{name}.host=127.0.0.1\n"
                   f"worker.{name}.port={b.port}\n" for name, b in backends.items())


def get(port, path, host=None, address="127.0.0.1"):
    """GET `path` sent verbatim; returns (status, body text)."""
    conn = http.client.HTTPConnection(address, port, timeout=30)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"{address}:{port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body


def forward_count(backends):
    return sum(len(b.forward_requests()) for b in backends.values())


def last_req_uri(backend):
    return backend.forward_requests()[-1]["decoded"]["req_uri"]


def forwarded(apache, backends, path, host=None, address="127.0.0.1", port=None):
    """Asserts `path` reached a backend; returns (worker, req_uri) from the reply body."""
    status, body = get(port or apache.port, path, host, address)
    assert status == 200 and body.startswith("node="), f"{path} (Host {host}) not forwarded: {status} {body[:200]}"
    node, uri = body.rstrip("\n").split(" ", 1)
    return node[len("node="):], uri[len("uri="):]


def not_forwarded(apache, backends, path, status=404, host=None, address="127.0.0.1", port=None):
    """Asserts `path` was answered by httpd itself with `status` and no backend saw it."""
    before = forward_count(backends)
    got, body = get(port or apache.port, path, host, address)
    assert got == status, f"{path} (Host {host}): expected {status}, got {got} {body[:200]}"
    assert "node=" not in body
    assert forward_count(backends) == before, f"{path} reached a backend"


def vhost(port, name, body=""):
    return f"<VirtualHost 127.0.0.1:{port}>\n    ServerName {name}\n{body}</VirtualHost>\n"
