#!/usr/bin/env python3
"""Prints the packets recorded by capture-modjk-vectors.sh, one per line:

    <vector>#<n> <type> <length> <hex>

followed by the decoded FORWARD_REQUEST fields that depend on the environment (server_port,
Host header, AJP_REMOTE_PORT, AJP_LOCAL_ADDR) as a comment line starting with '#'.
"""

import json
import pathlib
import sys


def main(directory):
    for path in sorted(pathlib.Path(directory).glob("*.jsonl")):
        index = 0
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if "hex" not in record or "type" not in record:
                continue
            index += 1
            raw = bytes.fromhex(record["hex"])
            print("%s#%d %s %d %s" % (path.stem, index, record["type"], len(raw), record["hex"]))
            decoded = record.get("decoded") or {}
            if record["type"] == "forward_request":
                host = [h[1] for h in decoded.get("headers", []) if h[0].lower() == "host"]
                attrs = [a[1] for a in decoded.get("attributes", []) if a[0] == "req_attribute"]
                print("# conn=%s server_port=%s host=%s attrs=%s" % (
                    record.get("conn"), decoded.get("server_port"), host, attrs))


if __name__ == "__main__":
    main(sys.argv[1])
