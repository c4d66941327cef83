"""A messaging gateway for the tests: a local HTTP server that records what it receives.

It deduplicates on `Idempotency-Key`, as a real gateway must for Wangge's deliveries to be
exactly once: `delivered` holds each key once, `requests` every request received.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Gateway:
    url: str
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    delivered: dict[str, Received] = field(default_factory=dict)
    # Statuses to answer, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    # When set, the first request waits here until `release` is set (a slow gateway).
    hold_first: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def start_gateway() -> Gateway:
    gateway: Gateway

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received = Received(dict(self.headers.items()), body)
            first = not gateway.requests
            gateway.requests.append(received)
            if first and gateway.hold_first:
                gateway.arrived.set()
                gateway.release.wait(timeout=60)
                return  # the sender is gone by now: nothing was taken
            status = gateway.answers.pop(0) if gateway.answers else 200
            if status == 200:
                gateway.delivered.setdefault(self.headers["Idempotency-Key"], received)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    gateway = Gateway(url=f"http://127.0.0.1:{server.server_port}/hook", server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return gateway
