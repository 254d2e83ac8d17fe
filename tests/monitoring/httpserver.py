"""A small threaded HTTP server on 127.0.0.1 for tests that need a real network peer.

Routes map a path (without the query) to a :class:`Response`, to bytes or text, or to a
handler ``(Request) -> Response``. A response body may be an iterable of chunks, which are
written and flushed one by one, so a test can stream 100 MB without building it or drip
bytes slowly. Every request is recorded (``requests``, ``hits(path)``), and the bytes of
body actually written are counted (``bytes_sent``).

    feed = Response(body=rss, content_type="application/rss+xml")
    with LocalHTTPServer({"/feed.xml": feed, "/robots.txt": "User-agent: *"}) as srv:
        fetcher.fetch(srv.url("/feed.xml"))

As a pytest fixture::

    @pytest.fixture
    def server():
        with LocalHTTPServer() as srv:
            yield srv

Handlers that wait should wait on ``request.stopping`` (a threading.Event set by
``stop()``), so that stopping the server never hangs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    time: float  # time.monotonic() when it arrived
    stopping: threading.Event


@dataclass
class Response:
    status: int = 200
    body: bytes | str | Iterable[bytes] = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]
Route = Handler | Response | bytes | str


def sequence(*responses: Response) -> Handler:
    """A handler answering with each response in turn, then repeating the last one."""
    remaining = list(responses)
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def hang(request: Request) -> Response:
    """Read the request and never answer (until the server stops)."""
    request.stopping.wait(60)
    return Response(status=503, body=b"stopped")


def drip(byte: bytes = b".", interval_s: float = 0.1) -> Callable[[Request], Response]:
    """A 200 response that sends one byte every ``interval_s`` seconds, forever."""

    def handler(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            while not request.stopping.wait(interval_s):
                yield byte

        return Response(body=chunks())

    return handler


def stream(
    total_bytes: int, chunk_size: int = 64 * 1024, *, declare_length: bool = False
) -> Handler:
    """A 200 response of ``total_bytes`` sent in chunks, never held in memory at once."""
    chunk = b"x" * chunk_size

    def handler(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            left = total_bytes
            while left > 0 and not request.stopping.is_set():
                piece = chunk if left >= chunk_size else chunk[:left]
                left -= len(piece)
                yield piece

        headers = {"Content-Length": str(total_bytes)} if declare_length else {}
        return Response(body=chunks(), headers=headers, content_type="text/html")

    return handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            time=time.monotonic(),
            stopping=owner.stopping,
        )
        owner._record(request)
        try:
            response = owner._respond(request)
        except Exception as exc:  # a broken handler shows up as a 500 and in .errors
            owner.errors.append(exc)
            response = Response(status=500, body=f"handler error: {exc!r}")
        self._send(request, response)

    def _send(self, request: Request, response: Response) -> None:
        owner = self.server.owner
        body = response.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            self.send_response(response.status)
            if response.content_type and "Content-Type" not in response.headers:
                self.send_header("Content-Type", response.content_type)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                if "Content-Length" not in response.headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if request.method != "HEAD":
                    self.wfile.write(body)
                    owner._sent(request.path, len(body))
                return
            # A streamed body ends when the connection closes (unless a length was given).
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            for chunk in body:
                self.wfile.write(chunk)
                self.wfile.flush()
                owner._sent(request.path, len(chunk))
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: LocalHTTPServer


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 and a free port; see the module docstring."""

    def __init__(self, routes: Mapping[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self.errors: list[Exception] = []
        self.bytes_sent: dict[str, int] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- routes --

    def route(self, path: str, target: Route) -> None:
        """Serve ``target`` at ``path``; "*" serves every path without its own route."""
        self.routes[path] = target

    def _respond(self, request: Request) -> Response:
        target = self.routes.get(request.path, self.routes.get("*"))
        if target is None:
            return Response(status=404, body=b"not found", content_type="text/plain")
        if isinstance(target, Response):
            return target
        if isinstance(target, bytes | str):
            return Response(body=target)
        return target(request)

    # -- lifecycle --

    def start(self) -> LocalHTTPServer:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and records --

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _sent(self, path: str, size: int) -> None:
        with self._lock:
            self.bytes_sent[path] = self.bytes_sent.get(path, 0) + size
