"""The SSRF guard: which addresses a link may reach, as a pure decision.

A cited URL is untrusted input: `http://169.254.169.254/latest/meta-data/` in a document must not
make linkaudit read a cloud's credentials, nor `http://localhost:8080/admin` poke at a service on
the machine that runs the audit. The transport calls `refused_reason` on every address a name
resolves to (and on every redirect hop), and connects only to an address that passed; this module
only decides. Legacy numeric IPv4 spellings (`http://2130706433/`, `http://0177.0.0.1/`,
`http://0x7f.1/`) are read the way `inet_aton` reads them, so they are judged as the address they
mean, and IPv6 forms that embed an IPv4 address (mapped, compatible, 6to4, NAT64, Teredo) are
judged by the embedded address too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Cloud metadata endpoints, named in the reason so a user sees why (AWS/GCP/Azure/OpenStack share
# 169.254.169.254; AWS's IPv6 one; Alibaba Cloud's).
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
    }
)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_6TO4 = ipaddress.ip_network("2002::/16")
_IPV4_COMPAT = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the embedding forms."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _IPV4_COMPAT and int(ip) > 0xFFFF:
        # Deprecated IPv4-compatible form `::a.b.c.d` (not `::` or `::1`).
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _kind(ip: IPAddress) -> str | None:
    """The name of the refused range `ip` is in, or None for a public address."""
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared (CGNAT)"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def refused_reason(ip: IPAddress, allow_all: bool, allow: Sequence[IPNetwork]) -> str | None:
    """Why a connection to `ip` is refused (`loopback address 127.0.0.1`), or None if allowed.

    `allow_all` (`--allow-private`) lets everything through; `allow` (`--allow-private CIDR`)
    lets through addresses inside those ranges only. An IPv6 form that embeds an IPv4 address is
    judged by the embedded address as well, so `::ffff:127.0.0.1` is loopback.
    """
    if allow_all:
        return None
    # An embedding IPv6 form is judged by the IPv4 address it carries (its wrapper range is
    # "reserved" in Python's tables, which would refuse public NAT64 targets too).
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    judged: IPAddress = embedded if embedded is not None else ip
    for candidate in (ip, judged):
        if any(candidate.version == net.version and candidate in net for net in allow):
            return None
    kind = _kind(judged)
    if kind is None:
        return None
    shown = str(ip) if judged is ip else f"{ip} (= {judged})"
    return f"{kind} address {shown}"


def parse_allow(ranges: Sequence[str]) -> tuple[IPNetwork, ...]:
    """Parse `--allow-private` CIDR strings (`127.0.0.0/8`, `::1`); raises ValueError on junk."""
    return tuple(ipaddress.ip_network(r.strip(), strict=False) for r in ranges)


def _parse_ipv4_part(part: str) -> int | None:
    """One dotted part the way inet_aton reads it: `0x..` hex, leading `0` octal, else decimal."""
    try:
        if part.lower().startswith("0x"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10)
    except ValueError:
        return None


def parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` -> 127.0.0.1; None if `host` is not one.

    Follows inet_aton: 1 to 4 parts, the last part fills the remaining bytes.
    """
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4 or any(not p for p in parts):
        return None
    values = [_parse_ipv4_part(p) for p in parts]
    if any(v is None or v < 0 for v in values):
        return None
    nums = [v for v in values if v is not None]
    *head, last = nums
    if any(v > 255 for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    value = 0
    for v in head:
        value = value << 8 | v
    value = value << (8 * (4 - len(head))) | last
    return ipaddress.IPv4Address(value)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host spells directly (`[::1]`, `127.0.0.1`, `2130706433`), or None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return parse_legacy_ipv4(host)


def url_refusal(url: str, allow_all: bool, allow: Sequence[IPNetwork]) -> str | None:
    """Why `url` is refused before any DNS: not http(s), no host, or a refused literal address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "malformed URL"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    if not host:
        return "no host in URL"
    ip = literal_address(host)
    if ip is None:
        return None
    return refused_reason(ip, allow_all, allow)
