"""Polite, bounded HTTP fetching for the press monitor.

One :class:`Fetcher` per worker process, shared by its threads. For every request it:

* checks the address (and every redirect hop) with :func:`validate_source_url`, and checks
  the address it actually connects to, so a name that resolves to an internal address at
  connect time (DNS rebinding) is refused too;
* reads robots.txt once per site per hour and refuses what it disallows;
* waits its turn so one host gets at most one request per interval (default 1 second);
* bounds the time: connect and read timeouts for each network operation, and a wall-clock
  deadline for the whole fetch, enforced on every socket read, so a server that sends one
  byte a second cannot hold a worker;
* bounds the size: refuses a Content-Length above the limit and stops reading beyond it;
* retries connection failures, timeouts, 429 and 5xx with exponential back-off and jitter,
  honouring Retry-After up to a cap.

Every failure is a :class:`~.errors.FetchError` with a stable ``code`` and a plain message.
Sleeping and the politeness clock are injectable so tests run without waiting.
"""

from __future__ import annotations

import contextvars
import email.utils
import math
import random
import ssl
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .decode import decode_html
from .errors import (
    BadStatus,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    MalformedContent,
    RobotsDisallowed,
    TooLarge,
)
from .urls import (
    Resolver,
    check_address,
    parse_ip_literal,
    resolve_host,
    validate_source_url,
)

USER_AGENT = "TTDN-monitor/0.1 (+https://github.com/ttdn)"
ROBOTS_AGENT = "TTDN-monitor"
DEFAULT_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.8"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MB = 1024 * 1024
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_ERROR_TTL_S = 600.0
MAX_CRAWL_DELAY_S = 30.0
_DISALLOW_ALL = ["User-agent: *", "Disallow: /"]

# The wall-clock deadline of the fetch running in this thread; the network layer clips every
# socket timeout to it. A context variable, because one client serves several threads.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "ttdn_fetch_deadline", default=None
)


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed_s: float

    def text(self) -> str:
        """The body as text (see :func:`~.decode.decode_html`)."""
        return decode_html(self.content, self.charset)


# --- the network layer: connect only to allowed addresses, within the deadline ----------------


def _clip(timeout: float | None, exc: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc("deadline exceeded")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(
            ssl_context, server_hostname, _clip(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to an address :func:`check_address` accepts."""

    def __init__(self, allowed_hosts: Collection[str], resolver: Resolver) -> None:
        self._allowed = tuple(allowed_hosts)
        self._resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clip(timeout, httpcore.ConnectTimeout)
        ip = parse_ip_literal(host)
        if ip is not None:
            addresses = [ip.compressed]
        else:
            try:
                addresses = self._resolver(host, port)
            except (OSError, UnicodeError):
                addresses = []
            if not addresses:
                raise ConnectionFailed(
                    _("The server name %(host)s could not be found.") % {"host": host}
                )
        for address in addresses:
            check_address(address, host=host, allowed_hosts=self._allowed)
        error: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not used by the monitor.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(
        self, *, backend: httpcore.NetworkBackend, limits: httpx.Limits, verify: bool
    ) -> None:
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx does not expose the network backend, so the pool is rebuilt with ours; a
        # test (a name resolving to 127.0.0.1 is refused at connect time) guards this.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


# --- the fetcher ------------------------------------------------------------------------------


@dataclass
class _Answer:
    final_url: str
    status: int
    headers: httpx.Headers
    content: bytes


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser
    expires: float


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay in seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _megabytes(size: int) -> str:
    value = size / MB
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _status_message(status: int) -> str:
    if status == 404:
        return _("The page was not found on the server (error 404).")
    if status == 410:
        return _("The page has been removed from the server (error 410).")
    if status in (401, 403):
        return _("The server refused access to the page (error %(status)s).") % {"status": status}
    if status == 429:
        return _("The server is receiving too many requests and asked us to wait (error 429).")
    if status >= 500:
        return _("The server had an internal problem (error %(status)s).") % {"status": status}
    return _("The server answered with error %(status)s.") % {"status": status}


class Fetcher:
    """A shared HTTP client with the monitor's safety, politeness and time limits.

    ``host_intervals`` overrides the minimum interval per host name (for example
    ``{"127.0.0.1": 0}`` in a benchmark); ``allowed_hosts`` lets an administrator allow
    internal hosts. ``clock`` (monotonic seconds) and ``sleep`` drive politeness, back-off
    and the robots.txt cache; the deadline always uses the real clock.
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        allowed_hosts: Collection[str] = (),
        min_interval_s: float = 1.0,
        host_intervals: Mapping[str, float] | None = None,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 20.0,
        deadline_s: float = 60.0,
        max_bytes: int = 10 * MB,
        max_attempts: int = 3,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 30.0,
        retry_after_cap_s: float = 120.0,
        max_redirects: int = 5,
        respect_robots: bool = True,
        robots_ttl_s: float = 3600.0,
        verify_tls: bool = True,
        max_connections: int = 50,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        resolver: Resolver = resolve_host,
    ) -> None:
        self.user_agent = user_agent
        self.allowed_hosts = tuple(allowed_hosts)
        self.min_interval_s = min_interval_s
        self.host_intervals = {k.lower(): v for k, v in (host_intervals or {}).items()}
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.deadline_s = deadline_s
        self.max_bytes = max_bytes
        self.max_attempts = max(1, max_attempts)
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.retry_after_cap_s = retry_after_cap_s
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self.robots_ttl_s = robots_ttl_s
        self._clock = clock
        self._sleep = sleep
        self._resolver = resolver
        self._random = random.Random()  # noqa: S311 - jitter, not security
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        backend = _GuardedBackend(self.allowed_hosts, resolver)
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=30.0,
        )
        self._client = httpx.Client(
            transport=_GuardedTransport(backend=backend, limits=limits, verify=verify_tls),
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": user_agent,
                "Accept-Language": "vi,en;q=0.8,*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=httpx.Timeout(
                connect=connect_timeout_s, read=read_timeout_s, write=read_timeout_s, pool=10.0
            ),
        )

    # -- lifecycle --

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public API --

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        max_bytes: int | None = None,
        check_robots: bool = True,
    ) -> FetchResult:
        """GET ``url`` and return its body; raise a :class:`FetchError` on any failure.

        With ``etag`` or ``last_modified`` (the values of an earlier result) the request is
        conditional, and an unchanged page gives ``not_modified=True`` and no content.
        """
        started = time.monotonic()
        current = self._validate(url)
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = self.max_bytes if max_bytes is None else max_bytes
        # Waiting for the host's turn (politeness) does not count against the deadline:
        # a batch of pages from one site queues here, not in a timeout.
        parts = urlsplit(current)
        if check_robots and self.respect_robots:
            self._robots_for(f"{parts.scheme}://{parts.netloc}")  # its Crawl-delay counts
        self._wait_turn((parts.hostname or "").lower())
        answer = self._get(
            current,
            headers=headers,
            max_bytes=limit,
            deadline_s=self.deadline_s,
            attempts=self.max_attempts,
            check_robots=check_robots and self.respect_robots,
            turn_taken=True,
        )
        elapsed = time.monotonic() - started
        content_type, charset = _content_type(answer.headers.get("content-type"))
        not_modified = answer.status == 304
        return FetchResult(
            url=url,
            final_url=answer.final_url,
            status=answer.status,
            content=answer.content,
            content_type=content_type,
            charset=charset,
            etag=answer.headers.get("etag") or (etag if not_modified else None),
            last_modified=answer.headers.get("last-modified")
            or (last_modified if not_modified else None),
            not_modified=not_modified,
            elapsed_s=elapsed,
        )

    def robots_allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets the monitor fetch ``url`` (cached per site)."""
        parts = urlsplit(url)
        parser = self._robots_for(f"{parts.scheme}://{parts.netloc}")
        return parser.can_fetch(ROBOTS_AGENT, url)

    # -- internals --

    def _validate(self, url: str) -> str:
        return validate_source_url(url, allowed_hosts=self.allowed_hosts, resolver=self._resolver)

    def _interval_for(self, host: str) -> float:
        if host in self.host_intervals:
            return self.host_intervals[host]
        return max(self.min_interval_s, self._crawl_delay.get(host, 0.0))

    def _wait_turn(self, host: str) -> None:
        """Reserve the next free slot for ``host`` and sleep until it comes."""
        interval = self._interval_for(host)
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + interval
        if slot > now:
            self._sleep(slot - now)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return delay + self._random.uniform(0, delay / 2)

    def _get(
        self,
        url: str,
        *,
        headers: dict[str, str],
        max_bytes: int,
        deadline_s: float,
        attempts: int,
        check_robots: bool,
        truncate: bool = False,
        turn_taken: bool = False,
    ) -> _Answer:
        deadline = time.monotonic() + deadline_s
        outer = _DEADLINE.get()
        if outer is not None:
            deadline = min(deadline, outer)
        token = _DEADLINE.set(deadline)
        try:
            current = url
            for hop in range(self.max_redirects + 1):
                if check_robots and not self.robots_allowed(current):
                    raise RobotsDisallowed(
                        _("The website asks robots not to visit this page (robots.txt)."),
                        url=current,
                    )
                answer = self._with_retries(
                    current,
                    headers,
                    max_bytes,
                    deadline,
                    deadline_s,
                    attempts,
                    truncate,
                    turn_taken=turn_taken and hop == 0,
                )
                location = answer.headers.get("location")
                if answer.status not in REDIRECT_STATUSES or not location:
                    return answer
                current = self._validate(urljoin(answer.final_url, location.strip()))
            raise BadStatus(
                _("The page redirects too many times (more than %(count)s).")
                % {"count": self.max_redirects},
                status=answer.status,
                url=url,
            )
        finally:
            _DEADLINE.reset(token)

    def _with_retries(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        deadline: float,
        deadline_s: float,
        attempts: int,
        truncate: bool,
        *,
        turn_taken: bool = False,
    ) -> _Answer:
        host = (urlsplit(url).hostname or "").lower()
        attempt = 0
        while True:
            attempt += 1
            if not (turn_taken and attempt == 1):
                self._wait_turn(host)
            error: FetchError
            try:
                answer = self._once(url, headers, max_bytes, deadline, deadline_s, truncate)
            except FetchTimeout as exc:
                if time.monotonic() >= deadline:
                    raise
                error = exc
            except ConnectionFailed as exc:
                if not exc.retryable:
                    raise
                error = exc
            else:
                if answer.status != 429 and answer.status < 500:
                    if answer.status >= 400:
                        raise BadStatus(
                            _status_message(answer.status), status=answer.status, url=url
                        )
                    return answer
                error = BadStatus(
                    _status_message(answer.status),
                    status=answer.status,
                    url=url,
                    retry_after=parse_retry_after(answer.headers.get("retry-after")),
                )
            if attempt >= attempts:
                raise error
            delay = self._backoff(attempt)
            retry_after = error.retry_after if isinstance(error, BadStatus) else None
            if retry_after is not None:
                if retry_after > self.retry_after_cap_s:
                    raise error
                delay = max(delay, retry_after)
            if time.monotonic() + delay >= deadline:
                raise error
            self._sleep(delay)

    def _once(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        deadline: float,
        deadline_s: float,
        truncate: bool,
    ) -> _Answer:
        try:
            request = self._client.build_request("GET", url, headers=headers)
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise self._timeout(exc, deadline, deadline_s, url) from exc
        except httpx.TransportError as exc:
            raise _connection_error(exc, url) from exc
        try:
            status = response.status_code
            if status < 200 or status >= 300:
                return _Answer(str(response.url), status, response.headers, b"")
            declared = response.headers.get("content-length", "").strip()
            if not truncate and declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(max_bytes, url)
            body = bytearray()
            try:
                for chunk in response.iter_bytes():
                    if len(body) + len(chunk) > max_bytes:
                        if truncate:
                            body += chunk[: max_bytes - len(body)]
                            break
                        raise _too_large(max_bytes, url)
                    body += chunk
            except httpx.TimeoutException as exc:
                raise self._timeout(exc, deadline, deadline_s, url) from exc
            except httpx.DecodingError as exc:
                raise MalformedContent(
                    _("The server sent a damaged compressed page."), url=url
                ) from exc
            except httpx.TransportError as exc:
                raise _connection_error(exc, url, during_body=True) from exc
            return _Answer(str(response.url), status, response.headers, bytes(body))
        finally:
            response.close()

    def _timeout(
        self, exc: Exception, deadline: float, deadline_s: float, url: str
    ) -> FetchTimeout:
        if time.monotonic() >= deadline - 0.05:
            seconds = deadline_s
            message = ngettext(
                "The server did not finish sending the page within %(seconds)s second.",
                "The server did not finish sending the page within %(seconds)s seconds.",
                math.ceil(seconds),
            )
        elif isinstance(exc, httpx.ConnectTimeout):
            seconds = self.connect_timeout_s
            message = ngettext(
                "The server did not accept a connection within %(seconds)s second.",
                "The server did not accept a connection within %(seconds)s seconds.",
                math.ceil(seconds),
            )
        else:
            seconds = self.read_timeout_s
            message = ngettext(
                "The server did not answer within %(seconds)s second.",
                "The server did not answer within %(seconds)s seconds.",
                math.ceil(seconds),
            )
        return FetchTimeout(message % {"seconds": f"{seconds:g}"}, url=url)

    def _robots_for(self, origin: str) -> urllib.robotparser.RobotFileParser:
        with self._lock:
            cached = self._robots.get(origin)
            if cached is not None and cached.expires > self._clock():
                return cached.parser
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            with self._lock:
                cached = self._robots.get(origin)
                if cached is not None and cached.expires > self._clock():
                    return cached.parser
            parser, ttl = self._load_robots(origin)
            with self._lock:
                self._robots[origin] = _Robots(parser, self._clock() + ttl)
            return parser

    def _load_robots(self, origin: str) -> tuple[urllib.robotparser.RobotFileParser, float]:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            answer = self._get(
                self._validate(origin + "/robots.txt"),
                headers={"Accept": "text/plain,*/*;q=0.5"},
                max_bytes=ROBOTS_MAX_BYTES,
                deadline_s=min(self.deadline_s, 30.0),
                attempts=1,
                check_robots=False,
                truncate=True,
            )
        except BadStatus as exc:
            # RFC 9309: a 4xx robots.txt means no rules; a 5xx means the site cannot say,
            # so nothing is fetched until it can (rechecked sooner than a good file).
            if exc.status is not None and exc.status >= 500:
                parser.parse(_DISALLOW_ALL)
                return parser, min(self.robots_ttl_s, ROBOTS_ERROR_TTL_S)
            parser.parse([])
            return parser, self.robots_ttl_s
        except FetchError:
            # An unreachable robots.txt is treated as no rules; the page fetch that follows
            # meets the same problem and reports it.
            parser.parse([])
            return parser, min(self.robots_ttl_s, ROBOTS_ERROR_TTL_S)
        if answer.status in REDIRECT_STATUSES:
            parser.parse([])
            return parser, self.robots_ttl_s
        text = answer.content.decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        delay = parser.crawl_delay(ROBOTS_AGENT)
        if delay is not None:
            host = (urlsplit(origin).hostname or "").lower()
            with self._lock:
                self._crawl_delay[host] = min(float(delay), MAX_CRAWL_DELAY_S)
        return parser, self.robots_ttl_s


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    mime, _sep, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _eq, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower() or None
    return (mime.strip().lower() or None), charset


def _too_large(max_bytes: int, url: str) -> TooLarge:
    return TooLarge(
        _("The page is larger than the limit of %(size)s MB and was not downloaded.")
        % {"size": _megabytes(max_bytes)},
        url=url,
    )


def _connection_error(
    exc: httpx.TransportError, url: str, *, during_body: bool = False
) -> ConnectionFailed:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return ConnectionFailed(
            _("The server's security certificate is not valid, so the page was not read."),
            url=url,
            retryable=False,
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return ConnectionFailed(_("The address cannot be fetched."), url=url, retryable=False)
    if during_body:
        return ConnectionFailed(_("The connection broke while the page was downloading."), url=url)
    return ConnectionFailed(_("The server could not be reached."), url=url)
