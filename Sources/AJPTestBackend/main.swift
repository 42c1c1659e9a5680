// ajp-test-backend — a scriptable, recording AJP/1.3 server for SwiftJK's tests and benchmarks.
//
// It is an independent oracle: it has its own small AJP framing and decoding and does not use
// JKCore. It behaves like a Tomcat 10.1 AJP connector where that matters to mod_jk (reference
// mod_jk-and-ajp13.md §1, §2.1): persistent connections, CPING → CPONG between requests, the
// first body packet read unsolicited when content-length > 0, GET_BODY_CHUNK(packetSize − 6)
// for the rest, reason phrase = status digits, a trailing 0x00 after every SEND_BODY_CHUNK.
//
// COMMAND LINE
//
//   ajp-test-backend [--listen 127.0.0.1:28009] [--name node1] [--record FILE.jsonl]
//                    [--mode normal|refuse|reset|hang|fast|status:<code>]
//                    [--packet-size 8192] [--port-file FILE] [--secret WORD]
//
//   --listen       IPv4 address:port; the address must be in 127.0.0.0/8 (anything else is
//                  refused). Port 0 picks a free port. Default 127.0.0.1:28009.
//   --name         node name, sent as `X-Node` and in bodies. Default node1.
//   --record       append one JSON line per received packet and per connection event.
//   --mode         global behaviour, see MODES. Default normal.
//   --packet-size  Tomcat's packetSize, 8192...65536. Default 8192.
//   --port-file    the bound port is written here (atomically: temp file + rename).
//   --secret       require attribute 0x0C to equal WORD; otherwise 403, END_RESPONSE(0), close.
//   --help         usage.
//   Once listening it prints `listening 127.0.0.1:PORT` on stdout (unbuffered) and runs until
//   killed. Exit status 2 for usage errors, 1 when it cannot listen.
//
// MODES
//
//   normal         per-request scripts chosen by the request URI (below).
//   refuse         accept, then close at once (nothing read).
//   reset          record the first packet of each connection, then RST (SO_LINGER 0).
//   hang           record everything, answer nothing (not even CPING) until the peer closes.
//   status:<code>  every request: SEND_HEADERS(code, reason "<code>", Content-Type text/plain,
//                  X-Node), body `node=<name> status=<code>\n`, END_RESPONSE(1).
//   fast           benchmark mode: nothing is recorded (--record ignored), no scripts; every
//                  request gets exactly these 67 bytes (body "Hello from AJP!\n", 16 bytes):
//                    41 42 00 21 04 00 c8 00 03 32 30 30 00 00 02
//                    a0 01 00 0a 74 65 78 74 2f 70 6c 61 69 6e 00      Content-Type: text/plain
//                    a0 03 00 02 31 36 00                              Content-Length: 16
//                    41 42 00 14 03 00 10 48 65 6c 6c 6f 20 66 72 6f 6d 20 41 4a 50 21 0a 00
//                    41 42 00 02 05 01
//
// REPLIES (normal mode)
//
//   Default (any URI without a keyword):
//     41 42 00 2b 04 00 c8 00 03 "200" 00 00 02 a0 01 00 0a "text/plain" 00
//                 00 06 "X-Node" 00 00 <n> "<name>" 00                 (length for name node1)
//     41 42 <L+4> 03 <L> "node=<name> uri=<req_uri>\n" 00             Tomcat's extra NUL
//     41 42 00 02 05 01                                               END_RESPONSE reuse=1
//   Every script reads the whole request body first (except /fault/reset and /fault/hang):
//   content-length > 0 → the unsolicited first packet, then GET_BODY_CHUNK (41 42 00 03 06 1f fa
//   at 8192) until content-length bytes or an empty packet; no content-length header (chunked)
//   → GET_BODY_CHUNK until an empty packet. As in Tomcat, HEAD requests and 1xx/204/205/304
//   statuses get no body chunks. Bodies longer than packetSize − 8 are split into several chunks.
//
// SCRIPTS (normal mode). The URI is split at "/", path parameters (";...") are ignored, and the
// first segment that is a keyword with valid arguments decides, wherever it is: `/w1/status/503`.
//
//   /echo                   200, body `len=<n> fnv1a64=<16 hex digits>\n` of the request body.
//   /status/<code>[/<r>]    status <code>, reason <r> percent-decoded (default the digits; an
//                           empty segment as in `/status/200/` sends an empty reason), body
//                           `node=<name> status=<code>\n`.
//   /empty/<code>           status <code>, reason digits, only X-Node, no body.
//   /size/<n>               200, n bytes where byte i = 'a' + i % 26, chunks of packetSize − 8.
//   /delay/<ms>             sleep, then the default reply.
//   /reuse0                 default reply with END_RESPONSE(reuse=0), then close.
//   /flush                  headers, `node=<name> part=1\n`, flush chunk 41 42 00 04 03 00 00 00,
//                           `node=<name> part=2\n`, end.
//   /location               302, reason "302", Location (coded A006)
//                           `http://127.0.0.1/redirected/<name>`, X-Node, no body.
//   /cookie                 default reply plus two Set-Cookie (coded A007) `a=1; Path=/`, `b=2; Path=/`.
//   /headers                200, body: `name: value` per request header (coded names in lower
//                           case), then `@name: value` per attribute in wire order
//                           (`@query_string`, `@route`, `@secret`, `@AJP_REMOTE_PORT`, ...).
//   /fault/reset            RST without reading the body or replying.
//   /fault/close            close (FIN) without replying.
//   /fault/hang             never reply; record what arrives until the peer closes.
//   /fault/badmagic         default reply, but SEND_HEADERS starts 12 34 instead of 41 42.
//   /fault/oversized        41 42 fd e8 (65000) + 8 payload bytes, then nothing.
//   /fault/truncated        41 42 00 64 (100) + 10 payload bytes, then close.
//   /fault/unknowntype      41 42 00 01 42, then the default reply.
//   /fault/badheadercode    SEND_HEADERS with a header coded A0FF (value "x"), body, end.
//   /fault/twoheaders       SEND_HEADERS twice, body, end.
//   /fault/chunktoolarge    headers, 41 42 00 07 03 00 64 "abc" 00 (length 100 > payload), end.
//   /fault/midbody          headers and one body chunk, then close.
//
// PROTOCOL ERRORS FROM THE CLIENT (Tomcat-like)
//
//   bad magic → event bad_magic, close. Declared length > packetSize − 4 → event
//   oversized_packet, 400 + END_RESPONSE(0), close. Undecodable FORWARD_REQUEST, invalid method
//   code (0, 28–254, or 0xFF without stored_method) or request header code (A000, A00F+) → 500 +
//   END_RESPONSE(0), close. Two content-length headers or a non-numeric one → 400, close.
//   Any packet other than CPING/FORWARD_REQUEST between requests → close. Malformed body packet → close.
//
// RECORDING (--record): one JSON object per line, appended with one write(2) each; a line is
// complete once its "\n" is there. Nothing is recorded in fast mode.
//
//   {"event":"accept","conn":N,"peer":"127.0.0.1:PORT"}
//   {"conn":N,"seq":K,"type":T,"hex":"<whole packet incl. 4-byte header>","decoded":D[,"error":E]}
//   {"event":"close","conn":N,"by":"peer"|"backend","reason":"..."}
//   {"event":"bad_magic"|"oversized_packet"|"truncated_packet","conn":N,"hex":...[,"declared":n]}
//
//   conn counts from 1 in accept order; seq counts received packets per connection from 1.
//   T is forward_request, body or cping; unexpected packets are named by prefix (shutdown, ping,
//   unknown, ...). E says why the packet was refused (decode error with byte offset, invalid
//   method or header code, unexpected type). D is null for undecodable packets, {"length":L}
//   (plus "trailing_bytes") for body packets, and for forward_request:
//     {"method":{"code":2,"name":"GET"},"protocol":"HTTP/1.1","req_uri":"/app/hello",
//      "remote_addr":"127.0.0.1","remote_host":null,"server_name":"127.0.0.1",
//      "server_port":38917,"is_ssl":false,
//      "headers":[["host","127.0.0.1:38917",{"code":"A00B"}],["X-Custom","abc"],...],
//      "attributes":[["query_string","x=1"],["route","node1"],["secret","s"],
//                    ["req_attribute","AJP_REMOTE_PORT=56966"],["ssl_key_size",256],
//                    ["stored_method","PATCH"],["unknown_0x0e",null],...]}
//   Coded header names are the lower-case table names (null for an unknown code) with the code
//   as a third element; string names keep their case. Attributes keep wire order. The method
//   name for 0xFF is the stored_method value, null for invalid codes. remote_host and other
//   null strings (FF FF) are null. Strings are UTF-8 when valid, else each byte as ISO-8859-1;
//   control characters are \u-escaped; "hex" is always exact.
//
// TESTS: Tests/test_ajp_test_backend.py (pytest) with the client in Tests/ajp_client.py.

import Glibc

let arguments = Array(CommandLine.arguments.dropFirst())
let options: BackendOptions
do {
    guard let parsed = try BackendOptions.parse(arguments) else {
        printLine(BackendOptions.usage)
        exit(0)
    }
    options = parsed
} catch {
    printError(error.message)
    printError(BackendOptions.usage)
    exit(2)
}

signal(SIGPIPE, SIG_IGN)

let context: BackendContext
let listener: Listener
do {
    context = try BackendContext(options: options)
    listener = try Listener(host: options.host, port: options.port)
} catch {
    printError(error.description)
    exit(1)
}

if let portFile = options.portFile {
    let temporary = portFile + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let text = Array("\(listener.port)\n".utf8)
    guard fd >= 0, text.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == text.count,
          close(fd) == 0, rename(temporary, portFile) == 0 else {
        printError("cannot write port file \(portFile): \(Listener.lastError)")
        exit(1)
    }
}
printLine("listening \(options.host):\(listener.port)")

let sharedContext = context
listener.acceptForever { descriptor, id, peer in
    BackendConnection(id: id, descriptor: descriptor, context: sharedContext).run(peer: peer)
}
