"""robots.txt per RFC 9309: groups, Allow/Disallow by longest match, Crawl-delay, Sitemap.

Written here rather than using `urllib.robotparser`, which applies the first matching rule in file
order instead of the longest match (so `Allow: /a/b` after `Disallow: /a` is ignored), does not
understand `*` and `$` wildcards, and folds every unknown agent into `*` only by substring. This
parser follows RFC 9309 (and Google's documented behaviour):

- the group whose `User-agent` equals our product token (`linkaudit`, case-insensitive) applies;
  groups naming the same agent are merged; if none names us, the `*` group applies;
- the longest matching pattern wins; on a tie `Allow` wins; `*` matches any run, a final `$`
  anchors the end; an empty `Disallow` allows everything;
- `Crawl-delay` (not in the RFC, widely used) is read from the applying group;
- `Sitemap:` lines apply to the whole file, whatever group they stand in;
- `/robots.txt` itself is always allowed.

What a fetch outcome means (RFC 9309 2.3.1): a 4xx answer means "no rules"; a 5xx answer or no
answer means "disallow everything" (the crawler reports it as a problem).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

MAX_ROBOTS_BYTES = 512 * 1024
"""RFC 9309 asks parsers to read at least 500 KiB; more is ignored."""


@dataclass(frozen=True, slots=True)
class RobotsRule:
    """One Allow or Disallow line of the applying group."""

    allow: bool
    """True for Allow."""
    pattern: str
    """The path pattern as written (percent-normalised)."""
    regex: re.Pattern[str]
    """The compiled pattern, anchored at the start."""


@dataclass(frozen=True, slots=True)
class Robots:
    """The rules of one robots.txt that apply to our user agent."""

    rules: tuple[RobotsRule, ...] = ()
    """Allow/Disallow rules of the applying group(s)."""
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
        parts = urlsplit(url)
        target = _normalise_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if target == "/robots.txt":
            return True
        best: RobotsRule | None = None
        for rule in self.rules:
            if rule.regex.match(target) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


ALLOW_ALL = Robots()
"""No rules (robots.txt missing: 4xx)."""
DISALLOW_ALL = Robots(disallow_all=True)
"""Robots.txt unreachable (5xx, no answer): assume everything is disallowed."""


def _normalise_path(path: str) -> str:
    # Compare in one spelling: escapes upper-case, non-ASCII escaped (RFC 9309 2.2.2).
    quoted = quote(path, safe="/%*$?=&;:@!,+'()~")
    return re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), quoted)


def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def product_token(user_agent: str) -> str:
    """`linkaudit/0.1 (+https://...)` -> `linkaudit`."""
    return user_agent.strip().split("/")[0].split()[0].lower() if user_agent.strip() else ""


def parse_robots(text: str, user_agent: str) -> Robots:
    """The rules of `text` that apply to `user_agent`. Never raises: bad lines are ignored."""
    token = product_token(user_agent)
    groups: list[tuple[set[str], list[tuple[str, str]]]] = []
    sitemaps: list[str] = []
    agents: set[str] = set()
    lines: list[tuple[str, str]] = []
    in_agents = False
    for raw in text[:MAX_ROBOTS_BYTES].splitlines():
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "sitemap":
            if value:
                sitemaps.append(value)
            continue
        if key == "user-agent":
            if not in_agents:
                agents, lines = set(), []
                groups.append((agents, lines))
                in_agents = True
            agents.add(value.split("/")[0].strip().lower())
            continue
        if not groups:
            continue  # a rule before any User-agent line belongs to no group
        in_agents = False
        if key in ("allow", "disallow", "crawl-delay"):
            lines.append((key, value))
    chosen = [lines for names, lines in groups if token and token in names]
    if not chosen:
        chosen = [lines for names, lines in groups if "*" in names]
    rules: list[RobotsRule] = []
    delay: float | None = None
    for group in chosen:
        for key, value in group:
            if key == "crawl-delay":
                try:
                    parsed = float(value)
                except ValueError:
                    continue
                if parsed >= 0 and (delay is None or parsed > delay):
                    delay = parsed
                continue
            if not value:
                continue  # `Disallow:` with no path allows everything
            if not value.startswith(("/", "*")):
                value = "/" + value
            pattern = _normalise_path(value)
            rules.append(RobotsRule(key == "allow", pattern, _compile(pattern)))
    return Robots(tuple(rules), delay, tuple(dict.fromkeys(sitemaps)))
