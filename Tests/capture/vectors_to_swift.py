#!/usr/bin/env python3
"""Writes Tests/JKCoreTests/GoldenVectors.swift, GoldenVectors+Tomcat.swift and GoldenVectors+LargeBody.swift from the
output directory of capture-modjk-vectors.sh and capture-tomcat-responses.sh.

    Tests/capture/vectors_to_swift.py [OUT_DIR] [TESTS_DIR]

The descriptions below say what each capture is; the environment-dependent fields (server port,
Host, AJP_REMOTE_PORT, AJP_LOCAL_ADDR) are read from the recorded packet itself.
"""

import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# (file stem, packet index, Swift name, description). Order = order in the generated file.
MODJK = [
    ("t28_get_lb", 1, "t28GetThroughLoadBalancer",
     "T28: `GET /app/hello?x=1&y=%20z` with `X-Custom: abc` and `Accept-Language: de` after curl's Host,\n"
     "User-Agent and Accept, through lb member node1 (route attribute `node1`)."),
    ("plain_get", 1, "plainWorkerGet",
     "The T28 request through a plain ajp13 worker (`/plain/hello?x=1&y=%20z`): no route attribute,\n"
     "JK_LB_ACTIVATION still `ACT`."),
    ("t29_explicit_cl0", 1, "t29ExplicitContentLengthZero",
     "T29: `GET /plain/cl0` with an explicit `Content-Length: 0` followed by `X-After: 1`: the header\n"
     "stays where the client put it and no second one is appended."),
    ("header_codes", 1, "headerNameCodes",
     "`GET /plain/h` with `accept-charset`, `Accept-Encoding`, `ACCEPT-LANGUAGE` (all sent as strings),\n"
     "`authorization`, `CONNECTION`, `Cookie`, `cookie2`, `Pragma`, `rEFERER` (coded whatever the case),\n"
     "`X-Longer-Than-15` (16 bytes, a string) and `Content-type` (coded); content-length synthesised."),
    ("empty_query", 1, "emptyQueryString",
     "`GET /plain/q?`: a present but empty query string is still sent (`05 00 00 00`)."),
    ("lowercase_method", 1, "lowercaseMethod",
     "`get /plain/lower`: method matching is case-sensitive, so `get` is stored (`FF` + `0D \"get\"`)."),
    ("t30_post", 1, "t30PostForwardRequest",
     "T30: `POST /app/post` with body `a=1&b=2` (curl adds `Content-Type: application/x-www-form-urlencoded`,\n"
     "`Content-Length: 7`)."),
    ("t30_post", 2, "t30PostBody", "T30: the body packet mod_jk sent unsolicited right after the FORWARD_REQUEST."),
    ("t31_chunked", 1, "t31ChunkedForwardRequest",
     "T31: `POST /app/chunked` with `Transfer-Encoding: chunked`, body `hello-chunked`: no content-length header,\n"
     "Transfer-Encoding as a string header, no unsolicited body packet."),
    ("t31_chunked", 2, "t31ChunkedBody", "T31: the answer to the backend's first GET_BODY_CHUNK(8186)."),
    ("t31_chunked", 3, "t31ChunkedEndOfBody", "T31: the answer to the second GET_BODY_CHUNK: the empty packet."),
    ("t32_cl20000", 1, "t32LargeBodyForwardRequest",
     "T32: `POST /app/large`, `Content-Type: application/octet-stream`, `Content-Length: 20000`\n"
     "(no Expect), body byte i = `a` + i % 26. The body packets are in GoldenVectors+LargeBody.swift."),
    ("t33_patch", 1, "t33Patch",
     "T33: `PATCH /app/p` through the lb: method `FF`, stored method `0D \"PATCH\"` after the route."),
    ("t33_propfind", 1, "t33Propfind", "T33: `PROPFIND /app/pf` through the lb: method code `08`."),
    ("t33_baseline_control", 1, "t33BaselineControl",
     "T33: `BASELINE-CONTROL /app/bc` through the lb: method code `1A`."),
    ("t34_secret", 1, "t34CPing", "T34: the CPING mod_jk sent first (worker `ping_mode=P`)."),
    ("t34_secret", 2, "t34SecretForwardRequest",
     "T34: `GET /sec/hello` through worker `secretw` with `secret=s3cr3t`: secret is the first attribute."),
    ("t36_envvar_set", 1, "t36EnvVarSet",
     "T36: `JkEnvVar MYVAR`, `JkEnvVar DEFVAR dflt`, `SetEnvIf Request_URI setmy MYVAR=fromenv`;\n"
     "`GET /w1/setmy` (plain worker) carries MYVAR then DEFVAR after JK_LB_ACTIVATION."),
    ("t36_envvar_default", 1, "t36EnvVarDefault", "T36: `GET /w1/other` on the same server: only `DEFVAR=dflt`."),
    ("t38_env_user_host", 1, "t38RemoteUserAuthTypeRemoteHost",
     "T38: `GET /w1/user` with `SetEnvIf ... JK_REMOTE_USER=alice JK_AUTH_TYPE=Basic JK_REMOTE_HOST=h.example`\n"
     "(JkEnvVar server, so DEFVAR=dflt follows): remote_host is a string, attributes 03 and 04 present."),
    ("ssl_client_cert", 1, "sslClientCertificate",
     "TLS 1.2 (`ECDHE-RSA-AES128-GCM-SHA256`), `SSLOptions +StdEnvVars +ExportCertData`, client certificate\n"
     "CN=sjk-client: `GET /plain/tls?z=1` with is_ssl 1 and attributes 05, 07 (PEM), 08, 09, 0B (int 128),\n"
     "then `AJP_SSL_PROTOCOL=TLSv1.2`. The session id and certificate are from this one capture."),
]
LARGE = [
    ("t32_cl20000", 2, "t32FirstBodyPacket", "T32: the first, unsolicited body packet: 8186 bytes, filling 8192."),
    ("t32_cl20000", 3, "t32SecondBodyPacket", "T32: the answer to the first GET_BODY_CHUNK(8186): 8186 bytes."),
    ("t32_cl20000", 4, "t32LastBodyPacket", "T32: the answer to the second GET_BODY_CHUNK(8186): the last 3628 bytes."),
]
TOMCAT = [
    ("cpong", 1, "cpong", "CPONG in answer to CPING."),
    ("static_txt", 1, "staticHeaders",
     "`GET /static.txt`: SEND_HEADERS 200 \"200\" with string names Accept-Ranges and ETag, then coded\n"
     "Last-Modified, Content-Type and Content-Length (18)."),
    ("static_txt", 2, "staticBody",
     "`GET /static.txt`: SEND_BODY_CHUNK `static hello file\\n` plus Tomcat's extra 0x00."),
    ("static_txt", 3, "staticEnd", "`GET /static.txt`: END_RESPONSE reuse 1."),
    ("redirect_jsp", 1, "redirectHeaders",
     "`GET /redirect.jsp`: SEND_HEADERS 302 with coded Location, Content-Type, Content-Length 0; no body."),
    ("redirect_jsp", 2, "redirectEnd", "`GET /redirect.jsp`: END_RESPONSE reuse 1."),
    ("session_jsp", 1, "sessionHeaders",
     "`GET /session.jsp`: SEND_HEADERS 200 with a coded Set-Cookie (JSESSIONID...node1)."),
    ("session_jsp", 2, "sessionBody", "`GET /session.jsp`: the body chunk."),
    ("session_jsp", 3, "sessionEnd", "`GET /session.jsp`: END_RESPONSE reuse 1."),
    ("echo_chunked", 1, "echoGetBodyChunk", "Chunked `POST /echo.jsp`: GET_BODY_CHUNK(8186), the first of two."),
    ("echo_chunked", 2, "echoGetBodyChunkAgain", "Chunked `POST /echo.jsp`: the second GET_BODY_CHUNK(8186)."),
    ("echo_chunked", 3, "echoHeaders", "Chunked `POST /echo.jsp`: SEND_HEADERS 200."),
    ("echo_chunked", 4, "echoBody", "Chunked `POST /echo.jsp`: body `length=13 sha256=...`."),
    ("echo_chunked", 5, "echoEnd", "Chunked `POST /echo.jsp`: END_RESPONSE reuse 1."),
    ("head_static", 1, "headStaticHeaders", "`HEAD /static.txt`: SEND_HEADERS only, no body chunk."),
    ("head_static", 2, "headStaticEnd", "`HEAD /static.txt`: END_RESPONSE reuse 1."),
    ("t28_replay_404", 1, "notFoundHeaders",
     "The exact T28 packet from mod_jk replayed: SEND_HEADERS 404 with coded Content-Language `en`."),
    ("t28_replay_404", 2, "notFoundBody", "The T28 replay: Tomcat's 774-byte HTML error page in one chunk."),
    ("t28_replay_404", 3, "notFoundEnd", "The T28 replay: END_RESPONSE reuse 1."),
]
EXCHANGES = [
    ("staticExchange", ["staticHeaders", "staticBody", "staticEnd"]),
    ("redirectExchange", ["redirectHeaders", "redirectEnd"]),
    ("sessionExchange", ["sessionHeaders", "sessionBody", "sessionEnd"]),
    ("echoChunkedExchange", ["echoGetBodyChunk", "echoGetBodyChunkAgain", "echoHeaders", "echoBody", "echoEnd"]),
    ("headExchange", ["headStaticHeaders", "headStaticEnd"]),
    ("notFoundExchange", ["notFoundHeaders", "notFoundBody", "notFoundEnd"]),
]


def load_modjk(out):
    packets = {}
    for path in out.glob("*.jsonl"):
        index = 0
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if "hex" in record and "type" in record:
                index += 1
                packets[(path.stem, index)] = record
    return packets


def load_tomcat(out):
    packets = {}
    for line in (out / "tomcat-responses.txt").read_text().splitlines():
        name, _length, hexstring = line.split()
        stem, index = name.split("#")
        packets[(stem, int(index))] = {"hex": hexstring}
    return packets


def provenance(path):
    lines = path.read_text().splitlines()
    return lines[0].replace("captured ", ""), lines[1:]


def spaced_hex(data, indent, per_line):
    rows = []
    for start in range(0, len(data), per_line):
        rows.append(indent + " ".join("%02x" % b for b in data[start:start + per_line]))
    return "\n".join(rows)


def dense_hex(data, indent, per_line):
    return "\n".join(indent + data[start:start + per_line].hex() for start in range(0, len(data), per_line))


def environment(record):
    decoded = record.get("decoded") or {}
    if record.get("type") != "forward_request":
        return None
    host = [h[1] for h in decoded.get("headers", []) if h[0] == "host"]
    attrs = dict(a[1].split("=", 1) for a in decoded.get("attributes", []) if a[0] == "req_attribute")
    port = decoded["server_port"]
    return ("Environment: server_port %d (`%02x %02x`), Host `%s`,\n"
            "AJP_REMOTE_PORT `%s`, remote_addr and AJP_LOCAL_ADDR `%s`."
            % (port, port >> 8, port & 0xFF, host[0] if host else "-",
               attrs.get("AJP_REMOTE_PORT"), attrs.get("AJP_LOCAL_ADDR")))


def emit(entries, packets, dense=False):
    out = []
    for stem, index, name, description in entries:
        record = packets[(stem, index)]
        data = bytes.fromhex(record["hex"])
        doc = description.split("\n")
        env = environment(record)
        if env:
            doc += env.split("\n")
        doc.append("%d bytes (payload %d)." % (len(data), len(data) - 4))
        out.append("\n".join("    /// " + line for line in doc))
        body = dense_hex(data, " " * 12, 48) if dense else spaced_hex(data, " " * 12, 24)
        out.append('    static let %s = GoldenVector("%s#%d", hex: """\n%s\n        """)\n' % (name, stem, index, body))
    return "\n".join(out)


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".build" / "modjk-vectors")
    tests = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "Tests" / "JKCoreTests")
    modjk, tomcat = load_modjk(out), load_tomcat(out)
    jk_date, jk_versions = provenance(out / "provenance.txt")
    tc_date, tc_versions = provenance(out / "tomcat-provenance.txt")
    jk_versions = [v for v in jk_versions if not v.startswith("mod_jk/")]

    head = '''// GENERATED by Tests/capture/vectors_to_swift.py from the output of
// Tests/capture/capture-modjk-vectors.sh and Tests/capture/capture-tomcat-responses.sh.
// Do not edit by hand; recapture and regenerate instead.
//
// HOW THESE VECTORS WERE CAPTURED
//
// Requests (web server -> container), %(jk_date)s, mod_jk 1.2.48 from Debian
// (%(jk_versions)s):
//   Debian's apache2 (prefork, Listen 127.0.0.1:39428; 39436 for the JkEnvVar server; 39444 for the TLS
//   server) loaded /usr/lib/apache2/modules/mod_jk.so with workers `lb` (member node1, route node1),
//   `plain` and `secretw` (secret=s3cr3t, ping_mode=P), all pointing at ajp-test-backend, which records
//   every packet it receives ("hex" in its JSONL). curl 7.88.1 sent the requests with --path-as-is and a
//   fixed client port (--local-port 41xxx), so every environment-dependent field is known: server_port,
//   the Host header value, AJP_REMOTE_PORT (the client port) and AJP_LOCAL_ADDR / remote_addr
//   (127.0.0.1). Each vector's comment lists them; the encoder tests feed exactly those values back.
//   server_name is `127.0.0.1` (from Host), remote_host is null (HostnameLookups Off) except in T38.
//
// Responses (container -> web server), %(tc_date)s, real Tomcat 10.1
// (%(tc_versions)s):
//   Tests/lib/tomcat.sh started Tomcat with the Tests/webapp app (AJP 127.0.0.29:39809, jvmRoute node1,
//   no secret); Tests/capture/tomcat_responses.py sent FORWARD_REQUESTs with the independent
//   Tests/ajp_client.py (and replayed the exact T28 packet above) and recorded every packet Tomcat sent.
//
// Field layout: reference mod_jk-and-ajp13.md §1 and Appendix A.
//
// To recapture (needs Debian's apache2, libapache2-mod-jk and tomcat10; binds only 127.0.0.x):
//   swift build --product ajp-test-backend
//   Tests/capture/capture-modjk-vectors.sh      # writes .build/modjk-vectors/
//   Tests/capture/capture-tomcat-responses.sh   # replays the T28 capture, so run it second
//   Tests/capture/vectors_to_swift.py           # rewrites this file and GoldenVectors+LargeBody.swift
// A recapture changes the TLS session id and client certificate (fed back from Environment below)
// and, in the Tomcat packets, the ETag, Last-Modified and JSESSIONID values that the response tests
// spell out; the mod_jk request bytes are otherwise reproducible because every port is pinned.
''' % {"jk_date": jk_date, "jk_versions": ", ".join(jk_versions), "tc_date": tc_date,
       "tc_versions": ", ".join(tc_versions)}

    ssl = dict((a[0], a[1]) for a in modjk[("ssl_client_cert", 1)]["decoded"]["attributes"])
    pem = "\n".join(("            " + line) if line else "" for line in ssl["ssl_cert"].split("\n"))
    main_file = head + '''
/// Golden vectors: whole packets, header included, exactly as captured.
enum GoldenVectors {
    /// Values the capture environment put into the request vectors.
    enum Environment {
        /// Client and server address: remote_addr, server_name and AJP_LOCAL_ADDR.
        static let address = "127.0.0.1"
        /// Port of the main httpd (server_port and Host of most vectors).
        static let serverPort: Int32 = 39428
        /// Port of the httpd with JkEnvVar (T36, T38).
        static let envVarServerPort: Int32 = 39436
        /// Port of the TLS httpd.
        static let sslServerPort: Int32 = 39444
        /// SSL_CIPHER of the TLS capture.
        static let sslCipher = "@@CIPHER@@"
        /// SSL_SESSION_ID of the TLS capture (random per handshake).
        static let sslSessionID = "@@SESSION@@"
        /// SSL_CLIENT_CERT of the TLS capture: the throw-away self-signed client certificate, PEM.
        static let sslClientCertificatePEM = """
@@PEM@@
            """
    }

    /// Packets mod_jk 1.2.48 sent to the backend.
    enum ModJK {
%s
    }

}
''' % indent(emit(MODJK, modjk))
    tomcat_file = head + '''
extension GoldenVectors {
    /// Packets Tomcat 10.1 sent to the web server.
    enum Tomcat {
%s
%s
    }
}
''' % (indent(emit(TOMCAT, tomcat)), indent(indent(exchanges())))
    main_file = main_file.replace("@@CIPHER@@", ssl["ssl_cipher"]).replace("@@SESSION@@", ssl["ssl_session"])
    main_file = main_file.replace("@@PEM@@", pem)

    large_file = head + '''
extension GoldenVectors.ModJK {
%s
}
''' % emit(LARGE, modjk, dense=True)

    (tests / "GoldenVectors.swift").write_text(main_file)
    (tests / "GoldenVectors+Tomcat.swift").write_text(tomcat_file)
    (tests / "GoldenVectors+LargeBody.swift").write_text(large_file)


def exchanges():
    lines = ["/// The packets of one response, in arrival order."]
    for name, members in EXCHANGES:
        lines.append("static let %s = [%s]" % (name, ", ".join(members)))
    lines.append("/// Every response exchange above.")
    lines.append("static let allExchanges = [\n    %s,\n]" % ",\n    ".join(n for n, _ in EXCHANGES))
    lines.append("/// Every response packet, the CPONG first.")
    lines.append("static let allPackets = [cpong] + allExchanges.flatMap { $0 }")
    return "\n".join(lines)


def indent(text):
    return "\n".join(("    " + line) if line else line for line in text.split("\n"))


if __name__ == "__main__":
    main()
