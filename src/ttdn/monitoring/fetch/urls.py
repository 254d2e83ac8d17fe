"""Which addresses the monitor may fetch.

A source address is typed by an officer, and every redirect is chosen by a remote server, so
both could point the platform's own server at the internal network (a router's admin page,
the cloud metadata service at 169.254.169.254, a database on localhost). Only http and https
addresses to public Internet addresses are accepted, unless an administrator has allowed a
host by name or address (``allowed_hosts``, which also accepts networks such as
``10.20.0.0/16``).

:func:`validate_source_url` checks an address before any connection is made;
:func:`check_address` is the same rule for one IP address, which the HTTP layer applies to
the address it actually connects to, so that a name which resolves differently the second
time (DNS rebinding) is still refused.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Collection
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext as _

from .errors import ConnectionFailed, UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
DEFAULT_PORTS = {"http": 80, "https": 443}


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in seen:
            seen.append(address)
    return seen


def is_public_address(ip: IPAddress | str) -> bool:
    """True for an address on the public Internet, False for every special-purpose range."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 form that carries an IPv4 address reaches that IPv4 address.
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            return is_public_address(ip.sixtofour)
        if ip.teredo is not None:
            return False
        if ip in _NAT64:
            return is_public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    elif ip in _CGNAT:
        return False
    special = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        special = True
    return not special and ip.is_global


def parse_ip_literal(host: str) -> IPAddress | None:
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        # "127.1", "2130706433" or "0x7f.1" are IPv4 addresses for the C resolver.
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def host_allowed(host: str, allowed_hosts: Collection[str]) -> bool:
    """Whether an administrator allowed this host by name, by address or by network."""
    if not allowed_hosts:
        return False
    name = host.strip("[]").rstrip(".").lower()
    ip = parse_ip_literal(name)
    for entry in allowed_hosts:
        entry = entry.strip().strip("[]").rstrip(".").lower()
        if not entry:
            continue
        if ip is not None:
            try:
                if "/" in entry:
                    if ip in ipaddress.ip_network(entry, strict=False):
                        return True
                    continue
                if ip == ipaddress.ip_address(entry):
                    return True
                continue
            except ValueError:
                continue
        if entry == name:
            return True
    return False


def check_address(
    ip: IPAddress | str, *, host: str | None = None, allowed_hosts: Collection[str] = ()
) -> None:
    """Refuse a connection to ``ip`` unless it is public or ``host`` was allowed."""
    if host is not None and host_allowed(host, allowed_hosts):
        return
    if not is_public_address(ip):
        raise UnsafeURLError(
            _(
                "The address points to a private or internal network, which the monitor "
                "does not visit. An administrator can allow it in the settings."
            ),
            url=host,
        )


def validate_source_url(
    url: str,
    *,
    allowed_hosts: Collection[str] = (),
    resolve: bool = True,
    resolver: Resolver = resolve_host,
) -> str:
    """Check that ``url`` may be fetched and return it in a normal form.

    The normal form has a lower-case scheme and host (international names in their ASCII
    form), no default port, no fragment, "/" for an empty path and non-ASCII characters
    percent-encoded. With ``resolve`` the host name is looked up and every address it
    resolves to must be public.
    """
    raw = (url or "").strip()
    if not raw:
        raise UnsafeURLError(_("The address is empty."), url=url)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise UnsafeURLError(_("The address contains invalid characters."), url=url)
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURLError(
            _("Only web addresses starting with http:// or https:// can be monitored."), url=url
        )
    if "@" in parts.netloc:
        raise UnsafeURLError(_("The address must not contain a user name or password."), url=url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError(_("The address has no server name."), url=url)
    try:
        port = parts.port
    except ValueError:
        raise UnsafeURLError(_("The address has an invalid port number."), url=url) from None

    ip = parse_ip_literal(host)
    if ip is not None:
        ascii_host = f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
        host_for_check = ip.compressed
    else:
        try:
            ascii_host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise UnsafeURLError(
                _("The server name in the address is not valid."), url=url
            ) from None
        if len(ascii_host) > 253 or not all(
            _HOST_LABEL.match(label) for label in ascii_host.split(".")
        ):
            raise UnsafeURLError(_("The server name in the address is not valid."), url=url)
        host_for_check = ascii_host

    allowed = host_allowed(host_for_check, allowed_hosts)
    if ip is not None:
        check_address(ip, host=host_for_check, allowed_hosts=allowed_hosts)
    elif resolve and not allowed:
        real_port = port or DEFAULT_PORTS[scheme]
        try:
            addresses = resolver(ascii_host, real_port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            raise ConnectionFailed(
                _("The server name %(host)s could not be found.") % {"host": ascii_host},
                url=url,
            )
        for address in addresses:
            check_address(address, host=host_for_check, allowed_hosts=allowed_hosts)

    netloc = ascii_host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{ascii_host}:{port}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
