"""A tiny webhook receiver on loopback (http.server in a thread), standing in
for the README's FastAPI/Flask apps so the examples need no web framework.

    server = Receiver({"/hooks/mail": mail_hook})
    server.url                   # http://127.0.0.1:PORT
    server.wait("/hooks/mail")   # the first request handled on that path

A handler gets ``(raw_body: bytes, headers)`` (``headers`` is the request's
case-insensitive header mapping) and returns an HTTP status (``None`` = 200).
"""

from __future__ import annotations

import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping

Handler = Callable[[bytes, Mapping[str, str]], Any]


class Receiver:
    def __init__(self, routes: dict[str, Handler]) -> None:
        self.handled: dict[str, queue.Queue[tuple[int, bytes]]] = {path: queue.Queue() for path in routes}
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw_body = self.rfile.read(length)
                route = routes.get(self.path)
                if route is None:
                    status = 404
                else:
                    try:
                        status = route(raw_body, self.headers) or 200
                    except HTTPError as err:
                        status = err.status_code
                    except Exception as err:  # a failing handler is a 500, as in a web framework
                        print(f"  handler error on {self.path}: {err!r}")
                        status = 500
                    receiver.handled[self.path].put((status, raw_body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, path: str, timeout: float = 20.0) -> tuple[int, bytes]:
        """``(status answered, raw body)`` of the next request handled on ``path``."""
        return self.handled[path].get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class HTTPError(Exception):
    """``raise HTTPError(status_code=403)`` inside a handler answers 403
    (FastAPI's ``HTTPException`` / Flask's ``abort``)."""

    def __init__(self, status_code: int) -> None:
        super().__init__(status_code)
        self.status_code = status_code
