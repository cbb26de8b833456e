"""The SSRF guard: every refused range, every spelling of an address, and the allow lists."""

from __future__ import annotations

import ipaddress

import pytest

from linkaudit.check.guard import (
    literal_address,
    parse_allow,
    parse_legacy_ipv4,
    refused_reason,
    url_refusal,
)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 of 169.254.169.254
        ("64:ff9b::7f00:1", "loopback"),
        ("::127.0.0.1", "loopback"),  # deprecated IPv4-compatible
    ],
)
def test_refused_ranges(address: str, kind: str) -> None:
    reason = refused_reason(ipaddress.ip_address(address), False, ())
    assert reason is not None and reason.startswith(kind), reason
    assert address.split("::")[-1].split(":")[-1] in reason or address in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
                                     "8.8.8.8", "64:ff9b::808:808", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refused_reason(ipaddress.ip_address(address), False, ()) is None


def test_allow_all_and_allow_ranges() -> None:
    loop = ipaddress.ip_address("127.0.0.1")
    assert refused_reason(loop, True, ()) is None
    allow = parse_allow(["127.0.0.0/8"])
    assert refused_reason(loop, False, allow) is None
    # The allow list is only the ranges given: metadata and other private ranges stay refused.
    assert refused_reason(ipaddress.ip_address("169.254.169.254"), False, allow) is not None
    assert refused_reason(ipaddress.ip_address("10.0.0.1"), False, allow) is not None
    # A mapped form of an allowed address is allowed too.
    assert refused_reason(ipaddress.ip_address("::ffff:127.0.0.1"), False, allow) is None
    with pytest.raises(ValueError):
        parse_allow(["not-a-cidr"])


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("3232235777", "192.168.1.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
    ],
)
def test_legacy_ipv4_forms(host: str, expected: str) -> None:
    assert parse_legacy_ipv4(host) == ipaddress.IPv4Address(expected)


@pytest.mark.parametrize("host", ["example.com", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "0x", "",
                                  "4294967296", "1e3"])
def test_not_legacy_ipv4(host: str) -> None:
    assert host in ("0x",) or parse_legacy_ipv4(host) is None


def test_literal_address_forms() -> None:
    assert literal_address("[::1]") == ipaddress.ip_address("::1")
    assert literal_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert literal_address("www.example.com") is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://2130706433/", "loopback address 127.0.0.1"),
        ("http://0177.0.0.1/", "loopback"),
        ("http://[::ffff:7f00:1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("ftp://example.com/file", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("javascript:alert(1)", "scheme"),
        ("http:///nohost", "no host"),
    ],
)
def test_url_refusal(url: str, fragment: str) -> None:
    reason = url_refusal(url, False, ())
    assert reason is not None and fragment in reason


def test_url_refusal_lets_names_through_to_dns() -> None:
    # Names are judged after resolution, by the transport's resolver.
    assert url_refusal("https://www.cnbc.com/x", False, ()) is None
    assert url_refusal("http://127.0.0.1:8080/", False, parse_allow(["127.0.0.0/8"])) is None
