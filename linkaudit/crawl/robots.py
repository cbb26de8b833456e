"""robots.txt per RFC 9309, read with protego (Scrapy's maintained parser).

protego applies the rules as RFC 9309 and Google document them, where `urllib.robotparser` does
not (first match in file order instead of the longest, no `*`/`$` wildcards): the group naming our
product token (`linkaudit`, case-insensitive) applies, else `*`; the longest matching pattern wins
and `Allow` wins a tie; `Crawl-delay` and `Sitemap:` lines are read; and paths are compared after
percent-decoding what needs no encoding (`Disallow: /%7Ejoe/` forbids `/~joe/`), which the
hand-written parser this replaces got wrong. The pieces protego does not decide are here:

- the product token, not the whole User-Agent, is what groups are matched against (a URL in our
  User-Agent must not match some other agent's group);
- `/robots.txt` itself is always allowed;
- what a fetch outcome means (RFC 9309 2.3.1): a 4xx answer means "no rules"; a 5xx answer or no
  answer means "disallow everything" (the crawler reports it as a problem).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

MAX_ROBOTS_BYTES = 512 * 1024
"""RFC 9309 asks parsers to read at least 500 KiB; more is ignored."""


@dataclass(frozen=True, slots=True)
class Robots:
    """The rules of one robots.txt that apply to our user agent."""

    parser: Protego | None = field(default=None, repr=False, compare=False)
    """The parsed file (None: no rules)."""
    token: str = ""
    """Our product token, the agent the groups are matched against."""
    crawl_delay: float | None = None
    """Seconds between requests asked by the applying group, if any."""
    sitemaps: tuple[str, ...] = ()
    """Sitemap URLs the file lists."""
    disallow_all: bool = False
    """True when the file could not be read (5xx, no answer): nothing may be fetched."""

    def allowed(self, url: str) -> bool:
        """May `url` (on this robots.txt's origin) be fetched?"""
        if self.disallow_all:
            return False
        if self.parser is None:
            return True
        try:
            path = urlsplit(url).path
        except ValueError:
            return True
        if path == "/robots.txt":
            return True
        return bool(self.parser.can_fetch(url, self.token or "*"))


ALLOW_ALL = Robots()
"""No rules (robots.txt missing: 4xx)."""
DISALLOW_ALL = Robots(disallow_all=True)
"""Robots.txt unreachable (5xx, no answer): assume everything is disallowed."""


def product_token(user_agent: str) -> str:
    """`linkaudit/0.1 (+https://...)` -> `linkaudit`."""
    return user_agent.strip().split("/")[0].split()[0].lower() if user_agent.strip() else ""


def parse_robots(text: str, user_agent: str) -> Robots:
    """The rules of `text` that apply to `user_agent`. Never raises: bad lines are ignored."""
    token = product_token(user_agent)
    try:
        parser = Protego.parse(text[:MAX_ROBOTS_BYTES])
        delay = parser.crawl_delay(token or "*")
        sitemaps = tuple(dict.fromkeys(parser.sitemaps))
    except Exception:  # noqa: BLE001 - a robots.txt is untrusted input: unparsable means no rules
        return ALLOW_ALL
    return Robots(
        parser,
        token,
        float(delay) if delay is not None and delay >= 0 else None,
        sitemaps,
    )
