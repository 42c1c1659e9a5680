"""A tiny AJP/1.3 client for driving ajp-test-backend (or any AJP server) from Python tests.

It encodes packets the way mod_jk 1.2.48 does (reference mod_jk-and-ajp13.md §1 and Appendix A)
and reads container replies packet by packet, answering GET_BODY_CHUNK from a body source.
Independent of SwiftJK's code on purpose.
"""

import socket
import struct

CPING = bytes.fromhex("12340001 0a")
CPONG = bytes.fromhex("41420001 09")
EMPTY_BODY = bytes.fromhex("12340000")

METHODS = {
    "OPTIONS": 1, "GET": 2, "HEAD": 3, "POST": 4, "PUT": 5, "DELETE": 6, "TRACE": 7,
    "PROPFIND": 8, "PROPPATCH": 9, "MKCOL": 10, "COPY": 11, "MOVE": 12, "LOCK": 13,
    "UNLOCK": 14, "ACL": 15, "REPORT": 16, "VERSION-CONTROL": 17, "CHECKIN": 18,
    "CHECKOUT": 19, "UNCHECKOUT": 20, "SEARCH": 21, "MKWORKSPACE": 22, "UPDATE": 23,
    "LABEL": 24, "MERGE": 25, "BASELINE-CONTROL": 26, "MKACTIVITY": 27,
}

# Request header names mod_jk codes (it sends Accept-Charset/-Encoding/-Language as strings).
REQUEST_HEADER_CODES = {
    "accept": 0xA001, "authorization": 0xA005, "connection": 0xA006, "content-type": 0xA007,
    "content-length": 0xA008, "cookie": 0xA009, "cookie2": 0xA00A, "host": 0xA00B,
    "pragma": 0xA00C, "referer": 0xA00D, "user-agent": 0xA00E,
}

RESPONSE_HEADER_NAMES = {
    0xA001: "Content-Type", 0xA002: "Content-Language", 0xA003: "Content-Length", 0xA004: "Date",
    0xA005: "Last-Modified", 0xA006: "Location", 0xA007: "Set-Cookie", 0xA008: "Set-Cookie2",
    0xA009: "Servlet-Engine", 0xA00A: "Status", 0xA00B: "WWW-Authenticate",
}


def _bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def ajp_string(value):
    """length, bytes, NUL; None is the null string FF FF."""
    if value is None:
        return b"\xff\xff"
    data = _bytes(value)
    return struct.pack(">H", len(data)) + data + b"\x00"


def packet(payload, magic=0x1234):
    return struct.pack(">HH", magic, len(payload)) + payload


def forward_request(method="GET", uri="/", protocol="HTTP/1.1", remote_addr="127.0.0.1",
                    remote_host=None, server_name="127.0.0.1", server_port=80, is_ssl=False,
                    headers=(), attributes=()):
    """A FORWARD_REQUEST packet.

    headers: (name, value) pairs; a str name is coded when mod_jk would code it (exact
    lower-case match of the table), an int name is sent as that code.
    attributes: (code, value) pairs; value is a str/bytes/None for string attributes, a
    (name, value) tuple for 0x0A, an int for 0x0B. The 0xFF terminator is added.
    An unknown method is sent as 0xFF plus attribute 0x0D, after the given attributes' route.
    """
    code = METHODS.get(method, 0xFF) if isinstance(method, str) else method
    out = bytes([2, code]) + ajp_string(protocol) + ajp_string(uri) + ajp_string(remote_addr)
    out += ajp_string(remote_host) + ajp_string(server_name) + struct.pack(">H?", server_port, is_ssl)
    out += struct.pack(">H", len(headers))
    for name, value in headers:
        if isinstance(name, int):
            out += struct.pack(">H", name)
        elif name.lower() in REQUEST_HEADER_CODES:
            out += struct.pack(">H", REQUEST_HEADER_CODES[name.lower()])
        else:
            out += ajp_string(name)
        out += ajp_string(value)
    attributes = list(attributes)
    if code == 0xFF and isinstance(method, str):
        attributes.append((0x0D, method))
    for attribute_code, value in attributes:
        out += bytes([attribute_code])
        if attribute_code == 0x0A:
            out += ajp_string(value[0]) + ajp_string(value[1])
        elif attribute_code == 0x0B:
            out += struct.pack(">H", value)
        else:
            out += ajp_string(value)
    out += b"\xff"
    return packet(out)


def body_packet(data):
    """A request body packet: 12 34 <n+2> <n> data; empty data gives 12 34 00 02 00 00."""
    data = _bytes(data)
    return packet(struct.pack(">H", len(data)) + data)


def fnv1a64(data):
    value = 0xCBF29CE484222325
    for byte in data:
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % value


class Response:
    """One parsed reply: status, reason, headers [(name, value)], body bytes, reuse flag,
    raw packets [bytes] in arrival order and get_body_chunk requests [int]."""

    def __init__(self):
        self.status = None
        self.reason = None
        self.headers = []
        self.body = b""
        self.chunks = []
        self.reuse = None
        self.packets = []
        self.body_requests = []

    def header(self, name):
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return values[0] if values else None


class ProtocolError(Exception):
    pass


class AJPConnection:
    def __init__(self, port, host="127.0.0.1", timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def recv_exact(self, count):
        """Exactly count bytes; raises EOFError with the partial data on end of stream."""
        data = b""
        while len(data) < count:
            more = self.sock.recv(count - len(data))
            if not more:
                raise EOFError(data)
            data += more
        return data

    def read_packet(self):
        """One whole container packet (header included). Raises ProtocolError on bad magic."""
        header = self.recv_exact(4)
        if header[:2] != b"AB":
            raise ProtocolError("bad magic " + header.hex())
        (length,) = struct.unpack(">H", header[2:])
        return header + self.recv_exact(length)

    def cping(self):
        self.send(CPING)
        return self.read_packet()

    def request(self, fr_packet, body=None, chunked=False, chunk_size=8186):
        """Sends a FORWARD_REQUEST and serves the body like mod_jk: with a body and not chunked,
        the first up-to-chunk_size bytes go out unsolicited; the rest on GET_BODY_CHUNK; when
        nothing is left, the empty packet 12 34 00 00. Returns a Response."""
        body = _bytes(body or b"")
        self.send(fr_packet)
        offset = 0
        if body and not chunked:
            first = body[:chunk_size]
            self.send(body_packet(first))
            offset = len(first)
        return self.read_response(body, offset, chunk_size)

    def read_response(self, body=b"", offset=0, chunk_size=8186):
        response = Response()
        while True:
            raw = self.read_packet()
            response.packets.append(raw)
            payload = raw[4:]
            kind = payload[0]
            if kind == 4:
                response.status, pos = struct.unpack(">H", payload[1:3])[0], 3
                response.reason, pos = _read_string(payload, pos)
                (count,) = struct.unpack(">H", payload[pos:pos + 2])
                pos += 2
                for _ in range(count):
                    (peek,) = struct.unpack(">H", payload[pos:pos + 2])
                    if peek & 0xFF00 == 0xA000:
                        name, pos = RESPONSE_HEADER_NAMES.get(peek, "?%04X" % peek).encode(), pos + 2
                    else:
                        name, pos = _read_string(payload, pos)
                    value, pos = _read_string(payload, pos)
                    response.headers.append((name.decode("latin-1"), value.decode("latin-1")))
            elif kind == 3:
                (length,) = struct.unpack(">H", payload[1:3])
                chunk = payload[3:3 + length]
                response.chunks.append(chunk)
                response.body += chunk
            elif kind == 6:
                (wanted,) = struct.unpack(">H", payload[1:3])
                response.body_requests.append(wanted)
                piece = body[offset:offset + min(wanted, chunk_size)]
                offset += len(piece)
                self.send(body_packet(piece) if piece else EMPTY_BODY)
            elif kind == 5:
                response.reuse = payload[1]
                return response
            else:
                raise ProtocolError("unexpected packet " + raw.hex())


def _read_string(payload, pos):
    (length,) = struct.unpack(">H", payload[pos:pos + 2])
    if length == 0xFFFF:
        return None, pos + 2
    return payload[pos + 2:pos + 2 + length], pos + 3 + length
