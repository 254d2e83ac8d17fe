"""The Fetcher against real local servers: time and size limits, retries, redirects to
internal addresses, robots.txt, conditional GET and politeness. Sleeping goes through a
fake clock, so back-off and politeness intervals cost no real time."""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
import tracemalloc
import zlib

import httpcore
import pytest
from django.utils import translation

from tests.monitoring.httpserver import (
    LocalHTTPServer,
    Request,
    Response,
    drip,
    hang,
    sequence,
    stream,
)
from ttdn.monitoring.fetch import USER_AGENT, Fetcher, FetchError
from ttdn.monitoring.fetch.decode import decode_html
from ttdn.monitoring.fetch.http import parse_retry_after

MB = 1024 * 1024


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def server():
    with LocalHTTPServer() as srv:
        yield srv


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_fetcher(clock):
    made: list[Fetcher] = []

    def make(**options) -> Fetcher:
        options.setdefault("allowed_hosts", ["127.0.0.1"])
        options.setdefault("clock", clock)
        options.setdefault("sleep", clock.sleep)
        options.setdefault("connect_timeout_s", 2.0)
        options.setdefault("read_timeout_s", 2.0)
        options.setdefault("deadline_s", 5.0)
        fetcher = Fetcher(**options)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def fetch_error(fetcher: Fetcher, url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url, **kwargs)
    return info.value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the ordinary case ------------------------------------------------------------------------


def test_a_page_is_fetched_with_the_platform_user_agent(server, make_fetcher):
    server.route("/tin/bai-viet.html", Response(body="<p>Xin chào</p>", headers={"ETag": '"a1"'}))
    result = make_fetcher().fetch(server.url("/tin/bai-viet.html"))
    assert result.status == 200
    assert result.content == "<p>Xin chào</p>".encode()
    assert (result.content_type, result.charset, result.etag) == ("text/html", "utf-8", '"a1"')
    assert result.final_url == server.url("/tin/bai-viet.html")
    assert not result.not_modified
    assert result.text() == "<p>Xin chào</p>"
    page = next(r for r in server.requests if r.path == "/tin/bai-viet.html")
    assert page.headers["user-agent"] == USER_AGENT == "TTDN-monitor/0.1 (+https://github.com/ttdn)"


def test_a_gzip_encoded_page_is_decompressed(server, make_fetcher):
    body = gzip.compress("<p>Đối ngoại</p>".encode())
    server.route("/", Response(body=body, headers={"Content-Encoding": "gzip"}))
    assert make_fetcher().fetch(server.url("/")).text() == "<p>Đối ngoại</p>"


def test_legacy_encoded_pages_are_decoded_through_the_result(server, make_fetcher):
    vietnamese = "Ủy ban nhân dân tỉnh tiếp đoàn đại biểu quốc tế."
    server.route(
        "/cp1258",
        Response(
            body=_cp1258(f"<p>{vietnamese}</p>"), content_type="text/html; charset=windows-1258"
        ),
    )
    chinese = "越南省代表团访问了我们的城市，双方签署了合作协议。"
    server.route(
        "/gb",
        Response(
            body=f'<html><head><meta charset="gb2312"></head><p>{chinese}</p>'.encode("gb2312"),
            content_type="text/html",
        ),
    )
    fetcher = make_fetcher()
    assert vietnamese in fetcher.fetch(server.url("/cp1258")).text()
    assert chinese in fetcher.fetch(server.url("/gb")).text()


def _cp1258(text: str) -> bytes:
    from tests.monitoring.test_fetch_decode import to_cp1258

    return to_cp1258(text)


# --- time limits ------------------------------------------------------------------------------


def test_a_server_that_never_answers_times_out_within_the_deadline(server, make_fetcher):
    server.route("/hang", hang)
    fetcher = make_fetcher(read_timeout_s=0.3, deadline_s=1.0, respect_robots=False)
    started = time.monotonic()
    error = fetch_error(fetcher, server.url("/hang"))
    elapsed = time.monotonic() - started
    assert error.code == "timeout"
    assert "did not" in error.message and "second" in error.message
    assert elapsed < 1.5


def test_a_server_dripping_one_byte_at_a_time_is_cut_at_the_deadline(server, make_fetcher):
    server.route("/drip", drip(b"x", interval_s=0.05))
    fetcher = make_fetcher(read_timeout_s=2.0, deadline_s=1.0, respect_robots=False)
    started = time.monotonic()
    error = fetch_error(fetcher, server.url("/drip"))
    elapsed = time.monotonic() - started
    assert error.code == "timeout"
    assert error.message == "The server did not finish sending the page within 1 second."
    assert 0.9 <= elapsed < 1.6


def test_slow_headers_are_cut_at_the_deadline_too(make_fetcher):
    """A server that drips the status line and headers never trips the read timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def slow_headers() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                if stop.wait(0.05):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=slow_headers, daemon=True)
    thread.start()
    try:
        fetcher = make_fetcher(read_timeout_s=1.0, deadline_s=0.8, respect_robots=False)
        started = time.monotonic()
        error = fetch_error(fetcher, f"http://127.0.0.1:{listener.getsockname()[1]}/")
        assert error.code == "timeout"
        assert time.monotonic() - started < 1.5
    finally:
        stop.set()
        listener.close()
        thread.join(2)


# --- retries ----------------------------------------------------------------------------------


def test_a_500_then_200_is_retried_and_succeeds(server, make_fetcher, clock):
    server.route("/", sequence(Response(500, body=b"oops"), Response(body=b"<p>ok</p>")))
    result = make_fetcher(respect_robots=False, min_interval_s=0).fetch(server.url("/"))
    assert result.content == b"<p>ok</p>"
    assert server.hits("/") == 2
    assert len(clock.sleeps) == 1 and 1.0 <= clock.sleeps[0] <= 1.5  # back-off with jitter


def test_a_server_always_failing_gives_http_error_after_three_attempts(server, make_fetcher, clock):
    server.route("/", Response(503, body=b"down"))
    error = fetch_error(make_fetcher(respect_robots=False, min_interval_s=0), server.url("/"))
    assert (error.code, error.status) == ("http_error", 503)
    assert "503" in error.message
    assert server.hits("/") == 3
    assert [round(s) for s in clock.sleeps] in ([1, 2], [1, 3], [2, 2], [2, 3])
    assert 1.0 <= clock.sleeps[0] <= 1.5 and 2.0 <= clock.sleeps[1] <= 3.0


def test_429_with_retry_after_waits_as_asked(server, make_fetcher, clock):
    server.route(
        "/",
        sequence(Response(429, headers={"Retry-After": "7"}), Response(body=b"<p>ok</p>")),
    )
    fetcher = make_fetcher(respect_robots=False, min_interval_s=0, deadline_s=30)
    result = fetcher.fetch(server.url("/"))
    assert result.status == 200
    assert clock.sleeps == [7.0]


def test_a_wait_beyond_the_deadline_is_reported_not_waited(server, make_fetcher, clock):
    server.route("/", Response(503, headers={"Retry-After": "20"}))
    fetcher = make_fetcher(respect_robots=False, min_interval_s=0, deadline_s=10)
    assert fetch_error(fetcher, server.url("/")).status == 503
    assert server.hits("/") == 1
    assert clock.sleeps == []


def test_a_retry_after_beyond_the_cap_is_reported_not_waited(server, make_fetcher, clock):
    server.route("/", Response(429, headers={"Retry-After": "3600"}))
    error = fetch_error(make_fetcher(respect_robots=False, min_interval_s=0), server.url("/"))
    assert (error.code, error.status) == ("http_error", 429)
    assert server.hits("/") == 1
    assert clock.sleeps == []


def test_a_404_is_reported_at_once(server, make_fetcher):
    error = fetch_error(make_fetcher(respect_robots=False), server.url("/khong-co.html"))
    assert (error.code, error.status) == ("http_error", 404)
    assert error.message == "The page was not found on the server (error 404)."
    assert server.hits("/khong-co.html") == 1


def test_a_refused_connection_is_retried_then_reported(make_fetcher, clock):
    fetcher = make_fetcher(respect_robots=False, min_interval_s=0)
    error = fetch_error(fetcher, f"http://127.0.0.1:{free_port()}/")
    assert error.code == "connection"
    assert error.message == "The server could not be reached."
    assert len(clock.sleeps) == 2


def test_retry_after_accepts_seconds_and_dates():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# --- size limit -------------------------------------------------------------------------------


def test_a_100_mb_page_is_refused_quickly_and_memory_stays_low(server, make_fetcher):
    server.route("/huge", stream(100 * MB))
    fetcher = make_fetcher(respect_robots=False)
    tracemalloc.start()
    try:
        started = time.monotonic()
        error = fetch_error(fetcher, server.url("/huge"))
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code == "too_large"
    assert error.message == "The page is larger than the limit of 10 MB and was not downloaded."
    assert elapsed < 5
    assert peak < 30 * MB
    assert server.bytes_sent["/huge"] < 40 * MB


def test_a_declared_length_above_the_limit_is_refused_before_reading(server, make_fetcher):
    server.route("/huge", stream(100 * MB, declare_length=True))
    error = fetch_error(make_fetcher(respect_robots=False, max_bytes=1 * MB), server.url("/huge"))
    assert error.code == "too_large"
    assert "1 MB" in error.message


def test_a_compression_bomb_is_stopped_at_the_limit(server, make_fetcher):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * MB
    bomb = b"".join(compressor.compress(zeros) for _ in range(50)) + compressor.flush()
    assert len(bomb) < MB
    server.route("/bomb", Response(body=bomb, headers={"Content-Encoding": "gzip"}))
    error = fetch_error(make_fetcher(respect_robots=False), server.url("/bomb"))
    assert error.code == "too_large"


# --- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_an_internal_address_is_refused_without_connecting(
    server, make_fetcher, monkeypatch, target
):
    connected: list[str] = []
    original = httpcore.SyncBackend.connect_tcp

    def spy(self, host, port, *args, **kwargs):
        connected.append(host)
        return original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", spy)
    server.route("/go", Response(302, headers={"Location": target}))
    error = fetch_error(make_fetcher(respect_robots=False), server.url("/go"))
    assert error.code == "unsafe_url"
    assert set(connected) == {"127.0.0.1"}


def test_redirects_are_followed_and_each_hop_checked(server, make_fetcher):
    server.route("/old", Response(301, headers={"Location": "/middle"}))
    server.route("/middle", Response(307, headers={"Location": server.url("/new")}))
    server.route("/new", Response(body=b"<p>new</p>"))
    result = make_fetcher(respect_robots=False, min_interval_s=0).fetch(server.url("/old"))
    assert result.final_url == server.url("/new")
    assert result.url == server.url("/old")
    assert result.content == b"<p>new</p>"


def test_a_redirect_loop_stops_after_five_hops(server, make_fetcher):
    server.route("/loop", Response(302, headers={"Location": "/loop"}))
    error = fetch_error(make_fetcher(respect_robots=False, min_interval_s=0), server.url("/loop"))
    assert error.code == "http_error"
    assert "redirects too many times" in error.message
    assert server.hits("/loop") == 6


def test_a_name_that_resolves_to_loopback_at_connect_time_is_refused(server, make_fetcher):
    """DNS rebinding: public when checked, 127.0.0.1 when connecting."""
    answers = [["93.184.216.34"], ["127.0.0.1"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    fetcher = make_fetcher(allowed_hosts=[], resolver=rebinding, respect_robots=False)
    error = fetch_error(fetcher, f"http://rebind.test:{server.port}/")
    assert error.code == "unsafe_url"
    assert server.requests == []


def test_an_allowed_internal_name_connects_to_its_resolved_address(server, make_fetcher):
    server.route("/", b"<p>intranet</p>")
    fetcher = make_fetcher(
        allowed_hosts=["intranet.test"], resolver=lambda host, port: ["127.0.0.1"]
    )
    result = fetcher.fetch(f"http://intranet.test:{server.port}/")
    assert result.content == b"<p>intranet</p>"
    assert server.requests[-1].headers["host"] == f"intranet.test:{server.port}"


# --- robots.txt -------------------------------------------------------------------------------


def test_robots_txt_is_obeyed_and_read_once_an_hour(server, make_fetcher, clock):
    server.route(
        "/robots.txt",
        Response(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
    )
    server.route("*", b"<p>page</p>")
    fetcher = make_fetcher(min_interval_s=0)
    error = fetch_error(fetcher, server.url("/private/bao-cao.html"))
    assert error.code == "robots"
    assert error.message == "The website asks robots not to visit this page (robots.txt)."
    assert server.hits("/private/bao-cao.html") == 0
    assert fetcher.fetch(server.url("/public/tin.html")).content == b"<p>page</p>"
    fetcher.fetch(server.url("/public/tin-2.html"))
    assert server.hits("/robots.txt") == 1
    clock.now += 3601
    fetcher.fetch(server.url("/public/tin-3.html"))
    assert server.hits("/robots.txt") == 2


def test_robots_rules_for_our_agent_apply(server, make_fetcher):
    server.route(
        "/robots.txt",
        "User-agent: TTDN-monitor\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
    )
    server.route("*", b"ok")
    assert fetch_error(make_fetcher(), server.url("/a")).code == "robots"


def test_a_missing_robots_txt_allows_and_a_failing_one_disallows(server, make_fetcher):
    server.route("*", b"ok")
    assert make_fetcher().fetch(server.url("/a")).content == b"ok"  # robots.txt is a 404
    with LocalHTTPServer({"/robots.txt": Response(500), "*": b"ok"}) as failing:
        assert fetch_error(make_fetcher(), failing.url("/a")).code == "robots"
        assert failing.hits("/a") == 0


def test_an_unreachable_robots_txt_allows(make_fetcher):
    assert make_fetcher().robots_allowed(f"http://127.0.0.1:{free_port()}/a")


def test_a_crawl_delay_slows_our_requests(server, make_fetcher, clock):
    server.route("/robots.txt", "User-agent: *\nCrawl-delay: 5\n")
    server.route("*", b"ok")
    fetcher = make_fetcher()
    fetcher.fetch(server.url("/a"))
    fetcher.fetch(server.url("/b"))
    assert clock.sleeps[-1] == pytest.approx(5.0)


# --- conditional GET and politeness -----------------------------------------------------------


def test_an_unchanged_page_answers_304_to_a_conditional_get(server, make_fetcher):
    def page(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(
            body=b"<p>v1</p>",
            headers={"ETag": '"v1"', "Last-Modified": "Sat, 05 Jul 2025 09:00:00 GMT"},
        )

    server.route("/", page)
    fetcher = make_fetcher(respect_robots=False)
    first = fetcher.fetch(server.url("/"))
    second = fetcher.fetch(server.url("/"), etag=first.etag, last_modified=first.last_modified)
    assert (second.status, second.not_modified, second.content) == (304, True, b"")
    assert second.etag == '"v1"'
    assert second.last_modified == "Sat, 05 Jul 2025 09:00:00 GMT"
    sent = server.requests[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Sat, 05 Jul 2025 09:00:00 GMT"


def test_requests_to_one_host_are_spaced_by_the_interval(server, make_fetcher, clock):
    server.route("*", b"ok")
    fetcher = make_fetcher(respect_robots=False)
    fetcher.fetch(server.url("/a"))
    fetcher.fetch(server.url("/b"))
    clock.now += 0.25
    fetcher.fetch(server.url("/c"))
    assert clock.sleeps == [pytest.approx(1.0), pytest.approx(0.75)]


def test_a_host_override_lifts_the_interval(server, make_fetcher, clock):
    server.route("*", b"ok")
    fetcher = make_fetcher(respect_robots=False, host_intervals={"127.0.0.1": 0})
    for path in ("/a", "/b", "/c"):
        fetcher.fetch(server.url(path))
    assert clock.sleeps == []


def test_threads_sharing_a_fetcher_keep_the_interval_in_real_time(server):
    server.route("*", b"ok")
    with Fetcher(allowed_hosts=["127.0.0.1"], min_interval_s=0.1, respect_robots=False) as fetcher:
        threads = [
            threading.Thread(target=fetcher.fetch, args=(server.url(f"/{i}"),)) for i in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    times = sorted(r.time for r in server.requests)
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.08, gaps


def test_the_page_text_helper_matches_decode_html(server, make_fetcher):
    server.route("/", Response(body="<p>ổn</p>".encode(), content_type="text/html"))
    result = make_fetcher(respect_robots=False).fetch(server.url("/"))
    assert result.text() == decode_html(result.content, None) == "<p>ổn</p>"
