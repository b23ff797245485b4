"""A real HTTP proxy in front of CKAN for the publishing tests: it forwards every call,
records the action-API calls it sees (so writes are counted here, not by the client),
and injects faults: 503 answers, delays, connections dropped before the request
reaches CKAN or after CKAN has carried it out (the answer is lost)."""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
READS = re.compile(r"_(show|list|search)$|^(status_show|site_read)$")


@dataclass
class Fault:
    action: str  # an action name, or "*"
    kind: str  # "503" | "delay" | "drop-before" | "drop-after"
    times: int = 1
    seconds: float = 0.0


@dataclass
class Call:
    method: str
    action: str
    resource: str | None  # the `name` field of a multipart (upload) call
    outcome: str  # "ok 200", "fault 503", "dropped-before", "dropped-after 200", …

    @property
    def write(self) -> bool:
        return bool(self.action) and not READS.search(self.action)


@dataclass
class Proxy:
    upstream: str
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fault_for(self, action: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.times > 0 and f.action in (action, "*"):
                    f.times -= 1
                    return f
        return None

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self.log.append(f"{call.method} {call.action} {call.resource or ''} {call.outcome}")

    def writes(self) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.write and not c.outcome.startswith(("fault", "dropped-before"))
        ]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.faults.clear()


def start(upstream: str) -> tuple[ThreadingHTTPServer, Proxy, str]:
    state = Proxy(upstream)
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:  # no stderr noise
            pass

        def _drop(self) -> None:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path
            m = re.search(r"/api/(?:\d/)?action/([a-z_]+)", path)
            action = m.group(1) if m else ""
            name = None
            if b"multipart/form-data" in (self.headers.get("Content-Type") or "").encode():
                found = re.search(rb'name="name"\r\n\r\n(.*?)\r\n', body, re.S)
                name = found.group(1).decode() if found else None
            fault = self.server_fault(action)
            if fault and fault.kind == "503":
                self.record(action, name, "fault 503")
                data = b'{"success": false, "error": {"message": "injected 503"}}'
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if fault and fault.kind == "drop-before":
                self.record(action, name, "dropped-before")
                self._drop()
                return
            if fault and fault.kind == "delay":
                time.sleep(fault.seconds)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Host"] = target.netloc
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
            try:
                upstream.request(self.command, path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                status = response.status
                reply_headers = [
                    (k, v)
                    for k, v in response.getheaders()
                    if k.lower() not in HOP | {"content-length"}
                ]
            finally:
                upstream.close()
            if fault and fault.kind == "drop-after":
                self.record(action, name, f"dropped-after {status}")
                self._drop()
                return
            self.record(action, name, f"{'delayed' if fault else 'ok'} {status}")
            self.send_response(status)
            for k, v in reply_headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def server_fault(self, action: str) -> Fault | None:
            return state.fault_for(action) if action else None

        def record(self, action: str, name: str | None, outcome: str) -> None:
            if action:
                state.record(Call(self.command, action, name, outcome))

        do_GET = _handle
        do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state, f"http://127.0.0.1:{server.server_address[1]}"
