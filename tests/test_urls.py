"""`invalid_url_reason`: what a URL as written says about itself, with no request. A host is
judged as WHATWG URL parses it: percent-decoded first."""

from __future__ import annotations

import pytest

from linkaudit.urls import invalid_url_reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://example.org/a b", "holds a space"),
        ("htp:/x", "misspelt scheme"),
        ("ftp://files.example.org/x", "not http or https"),
        ("http:///x", "must be followed by // and a host"),
        ("http://exa%20mple.com/q%20r", "holds a space"),  # `<http://exa mple.com/q r>` encoded
        ("http://exa%20mple.com:80/", "holds a space"),
        ("http://a%00b.com/", "malformed host 'a\\x00b.com'"),  # shown escaped, never raw
        ("http://example.com%3A8080/", "malformed host"),  # a colon is no host character
        ("http://ex%zzample.com/", "malformed host"),
    ],
)
def test_broken_urls_say_why(url: str, reason: str) -> None:
    found = invalid_url_reason(url)
    assert found is not None and reason in found, found


@pytest.mark.parametrize(
    "url",
    ["https://example.org/a%20b", "http://b%C3%BCcher.de/x", "http://b%C3%BCcher.de:8080/x",
     "http://[::1%25eth0]/", "https://user@example.org:8443/p?q=1#f", "docs/guide.md",
     "mailto:a@example.org"],
)
def test_working_urls_and_other_links_pass(url: str) -> None:
    assert invalid_url_reason(url) is None
