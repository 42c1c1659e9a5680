#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into DIR/<target>/ (default Tests/fuzz/out/seeds): the
container-side golden vectors captured from real Tomcat (Tests/JKCoreTests/GoldenVectors+Tomcat.swift,
one response's packets per seed, behind a mode byte), the repository's workers.properties examples and
the reference's Appendix B, typical uriworkermap lines, URIs, session ids and status queries."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def golden_responses():
    """{response name: bytes of all its packets in order} from the Tomcat golden vectors."""
    text = (ROOT / "Tests/JKCoreTests/GoldenVectors+Tomcat.swift").read_text()
    responses = {}
    for name, hexes in re.findall(r'GoldenVector\("([^"#]+)#\d+", hex: """(.*?)"""', text, re.S):
        responses.setdefault(name, bytearray()).extend(bytes.fromhex(" ".join(hexes.split())))
    return responses


def seeds():
    out = {"ajp": {}, "workers": {}, "urimap": {}, "uri": {}, "session": {}, "statusquery": {}, "requestlog": {}}
    for i, (name, data) in enumerate(sorted(golden_responses().items())):
        for mode in (0x02, 0x0B):   # 8 KiB + content-length body; 64 KiB + chunked + first chunk sent
            out["ajp"][f"{name}-{mode:02x}"] = bytes([mode]) + bytes(data)
    for path in [ROOT / "conf/examples/workers.properties", ROOT / "conf/examples/cluster/workers.properties"]:
        out["workers"][path.parent.name + "-" + path.name] = path.read_bytes()
    sys.path.insert(0, str(ROOT / "Tests/integration"))
    from harness import APPENDIX_B
    out["workers"]["appendix-b"] = APPENDIX_B.encode()
    out["workers"]["variables"] = (b"base=/srv\nworker.list=a,lb\nworker.a.port=8009\nworker.a.host=$(base)\n"
                                   b"worker.b.reference=worker.a\nworker.lb.type=lb\nworker.lb.balance_workers=a,b\n"
                                   b"worker.lb.health_check_uri=/hc\nworker.lb.slow_start=5\n")
    out["urimap"]["rules"] = (b"/app/*=lb\n/app/static/*=!lb\n/*.jsp=lb;use_server_errors=500\n"
                              b"-/old/*=lb\n/x|/*=w;reply_timeout=100;active=a;disabled=b\n")
    for i, uri in enumerate([b"/app/index.jsp", b"/a/../b/./c", b"/%2e%2e/%2fetc", b"/x;jsessionid=A.n1/y",
                             b"//double//slash", b"/%00"]):
        out["uri"][f"u{i}"] = uri
    out["session"]["path"] = b"/app/x;jsessionid=ABC.node1"
    out["session"]["cookie"] = b"/app/x\x00a=1; JSESSIONID=ABC.node2; JSESSIONID=DEF.node1\x00JSESSIONID=\"Q.n\""
    for i, q in enumerate([b"cmd=list&mime=prop", b"cmd=update&w=lb&sw=tomcat1&vwa=1", b"cmd=show&w=lb&opt=32",
                           b"cmd=edit&w=lb&att=vwf&val0=1&val1=3", b"mime=json&cmd=version&from=list&re=5"]):
        out["statusquery"][f"q{i}"] = q
    # JkRequestLogFormat: the format, then method, URI, query, protocol, request line, host (NUL-separated).
    for i, fmt in enumerate([b"%w %V %T", b"[%H] %m %U%q %s %b %B %p %v %r %R\\t%w\\n",
                             b"%%%", b"\\", b"%w %Q"]):
        out["requestlog"][f"f{i}"] = fmt + b"\0POST\0/app/x\0a=1\0HTTP/1.1\0POST /app/x?a=1 HTTP/1.1\0h.example\0\x07\x01"
    return out


def dictionaries():
    """libFuzzer dictionaries (the cheap structure-aware step): the attribute and value words of
    workers.properties and uriworkermap, read from the sources so they stay complete; the status
    worker's query words; AJP's message prefixes and the JkRequestLogFormat specifiers."""
    words = set()
    for path in sorted((ROOT / "Sources/JKCore/Config").glob("*.swift")):
        words |= set(re.findall(r'"([a-z][a-z_]{1,40})"', path.read_text()))
    workers = sorted(words | {"worker.", "worker.list", ".type", "ajp13", "lb", "status", "=", "\\x0A", "$(", ")",
                              "true", "false", "Request", "Session", "Next", "Busyness", "Traffic"})
    urimap = ["=", "!", "-", "|", ";", "/*", "*.", "?", "\\x0A", "use_server_errors", "reply_timeout", "active",
              "disabled", "stopped", "#"]
    query = ["cmd=", "mime=", "w=", "sw=", "att=", "val", "opt=", "from=", "re=", "&", "%", "list", "show", "update",
             "edit", "reset", "recover", "dump", "version", "xml", "prop", "txt", "json", "vwa", "vwf", "vlr"]
    requestlog = [f"%{c}" for c in "bBHmpqrsTUvVwR"] + ["\\\\n", "\\\\t", "%%", "\\x00"]
    return {"workers": workers, "urimap": urimap, "statusquery": query, "requestlog": requestlog}


def main():
    target_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "Tests/fuzz/out/seeds"
    for target, entries in dictionaries().items():
        (target_dir / f"{target}.dict").parent.mkdir(parents=True, exist_ok=True)
        (target_dir / f"{target}.dict").write_text("".join(f'"{w}"\n' for w in entries))
    for target, files in seeds().items():
        d = target_dir / target
        d.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (d / re.sub(r"[^A-Za-z0-9._-]", "_", name)).write_bytes(data)
    print(f"seeds in {target_dir}: " + ", ".join(f"{t} {len(f)}" for t, f in seeds().items()))


if __name__ == "__main__":
    main()
