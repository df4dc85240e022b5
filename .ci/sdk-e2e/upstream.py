#!/usr/bin/env python3
"""The e2e upstream behind tc3-gateway: a stdlib HTTP/1.1 server on 127.0.0.1 (port 0; prints
`listening on PORT`) that answers every request with a Tencent-style success envelope echoing
what the gateway forwarded:

    {"Response": {"RequestId": <uuid4>, "SecretId": <X-Tc3-Secret-Id>,
                  "Tc3Headers": [<names of X-Tc3-* headers, lowercase>],
                  "Method": ..., "Path": ..., "Host": ..., "Action": <X-TC-Action or Action>,
                  "BodyLength": <bytes>}}

and appends one JSON line per request to the file given as its only argument.
"""
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOG = open(sys.argv[1], "a", buffering=1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        parts = urlsplit(self.path)
        action = self.headers.get("X-TC-Action")
        if action is None:
            form = parse_qs(parts.query)
            if "form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form.update(parse_qs(body.decode("utf-8", "replace")))
            action = (form.get("Action") or [None])[0]
        echo = {
            "RequestId": str(uuid.uuid4()),
            "SecretId": self.headers.get("X-Tc3-Secret-Id"),
            "Tc3Headers": sorted({k.lower() for k in self.headers if k.lower().startswith("x-tc3-")}),
            "Method": self.command,
            "Path": parts.path,
            "Host": self.headers.get("Host"),
            "Action": action,
            "BodyLength": len(body),
        }
        LOG.write(json.dumps(echo) + "\n")
        out = json.dumps({"Response": echo}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = answer
    do_POST = answer

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on {srv.server_address[1]}", flush=True)
srv.serve_forever()
