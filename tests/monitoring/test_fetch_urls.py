"""Which addresses the monitor may fetch: schemes, credentials and internal networks."""

from __future__ import annotations

import pytest
from django.utils import translation

from ttdn.monitoring.fetch import ConnectionFailed, UnsafeURLError, validate_source_url
from ttdn.monitoring.fetch.urls import check_address, host_allowed, is_public_address


def public_resolver(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def resolver_to(*addresses: str):
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def valid(url: str, **kwargs) -> str:
    kwargs.setdefault("resolver", public_resolver)
    return validate_source_url(url, **kwargs)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/html,hi",
        "//example.com/no-scheme",
        "example.com/no-scheme",
    ],
)
def test_only_http_and_https_are_accepted(url):
    with pytest.raises(UnsafeURLError) as info:
        valid(url)
    assert info.value.code == "unsafe_url"
    assert "http://" in info.value.message


@pytest.mark.parametrize(
    "url",
    ["http://user:secret@example.com/", "https://user@example.com/", "http://@example.com/"],
)
def test_credentials_in_the_address_are_refused(url):
    with pytest.raises(UnsafeURLError, match="user name or password"):
        valid(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://localhost.localdomain.invalid/",  # resolved below to 127.0.0.1
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1:8080/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://100.127.255.254/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    ],
)
def test_private_loopback_and_special_addresses_are_refused(url):
    with pytest.raises(UnsafeURLError) as info:
        valid(url, resolver=resolver_to("127.0.0.1"))
    assert "private or internal network" in info.value.message


def test_a_name_resolving_to_any_private_address_is_refused():
    with pytest.raises(UnsafeURLError):
        valid("https://news.example.com/", resolver=resolver_to("93.184.216.34", "10.1.2.3"))


def test_public_addresses_and_names_pass_and_are_normalised():
    assert valid("HTTPS://News.Example.COM:443/a b?x=1#frag") == (
        "https://news.example.com/a%20b?x=1"
    )
    assert valid("http://example.com") == "http://example.com/"
    assert valid("http://example.com:8080/p") == "http://example.com:8080/p"
    assert valid("http://8.8.8.8/") == "http://8.8.8.8/"
    assert valid("http://[2001:4860:4860::8888]/") == "http://[2001:4860:4860::8888]/"
    assert valid("https://báo.vn/tin-tức") == "https://xn--bo-mia.vn/tin-t%E1%BB%A9c"
    assert valid("  https://example.com/%C3%A1  ") == "https://example.com/%C3%A1"


def test_an_administrator_can_allow_a_host_by_name_address_or_network():
    assert valid("http://127.0.0.1:8000/feed", allowed_hosts=["127.0.0.1"]) == (
        "http://127.0.0.1:8000/feed"
    )
    intranet = resolver_to("10.20.0.5")
    assert valid(
        "http://intranet.tinh.gov.vn/", allowed_hosts=["intranet.tinh.gov.vn"], resolver=intranet
    )
    assert valid("http://10.20.0.5/", allowed_hosts=["10.20.0.0/16"])
    assert valid("http://[::1]:9000/", allowed_hosts=["::1"])
    # Allowing an address does not allow every name that resolves to it.
    with pytest.raises(UnsafeURLError):
        valid(
            "http://rebind.example/", allowed_hosts=["127.0.0.1"], resolver=resolver_to("127.0.0.1")
        )
    with pytest.raises(UnsafeURLError):
        valid("http://10.30.0.1/", allowed_hosts=["10.20.0.0/16"])


def test_allowed_hosts_never_allow_other_schemes():
    with pytest.raises(UnsafeURLError):
        valid("file:///etc/passwd", allowed_hosts=["127.0.0.1", "localhost", ""])


def test_an_unknown_name_is_a_connection_problem_not_an_unsafe_address():
    def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(ConnectionFailed) as info:
        valid("https://khong-ton-tai.invalid/", resolver=nxdomain)
    assert info.value.code == "connection"
    assert "khong-ton-tai.invalid" in info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://exa\nmple.com/",
        "http://-bad-.example.com/",
    ],
)
def test_malformed_addresses_are_refused_with_a_message(url):
    with pytest.raises(UnsafeURLError) as info:
        valid(url)
    assert info.value.message


def test_without_resolution_only_literal_addresses_are_checked():
    assert validate_source_url("http://anything.example/", resolve=False)
    with pytest.raises(UnsafeURLError):
        validate_source_url("http://192.168.0.1/", resolve=False)


def test_check_address_helpers():
    assert is_public_address("93.184.216.34")
    assert not is_public_address("::ffff:192.168.0.1")
    check_address("93.184.216.34")
    check_address("127.0.0.1", host="127.0.0.1", allowed_hosts=["127.0.0.1"])
    with pytest.raises(UnsafeURLError):
        check_address("127.0.0.1", host="evil.example", allowed_hosts=["127.0.0.1"])
    assert host_allowed("LOCALHOST.", ["localhost"])
    assert not host_allowed("localhost", [])
