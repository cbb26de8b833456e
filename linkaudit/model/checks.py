"""What the check gives: one `LinkCheck` per URL, its `LinkStatus` and that status's `LinkGroup`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import assert_never

from linkaudit.model.documents import DatedFact


class LinkGroup(StrEnum):
    """What a `LinkStatus` means to a reader, in five groups; every report groups by this."""

    OK = "ok"
    """The source is there at the address written."""
    MOVED = "moved"
    """The source is there at another address (a permanent redirect)."""
    UNVERIFIED = "unverified"
    """No verdict: blocked, or no usable answer after retries (timeout, network error, 5xx):
    maybe transient, not shown to be gone."""
    BROKEN = "broken"
    """Shown to be gone or wrong: dead, soft-404, an invalid URL."""
    SKIPPED = "skipped"
    """Not checked (excluded, a refused address, not in the cassette): says nothing."""


class LinkStatus(StrEnum):
    """The closed set of outcomes of checking one URL. The JSON and every report use the values."""

    ALIVE = "alive"
    REDIRECTED = "redirected"
    MOVED_OFFSITE = "moved-offsite"
    SOFT_404 = "soft-404"
    DEAD = "dead"
    SERVER_ERROR = "server-error"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network-error"
    BLOCKED = "blocked"
    INVALID = "invalid"
    SKIPPED = "skipped"

    @property
    def group(self) -> LinkGroup:
        """The status's group. `server-error` is unverified, beside `timeout` and
        `network-error`: a 5xx after retries is "maybe transient" (the `unreachable` rule, a
        warning), not proven gone; only the history of runs (`linkaudit report`) calls a lasting
        one dead."""
        match self:
            case LinkStatus.ALIVE:
                return LinkGroup.OK
            case LinkStatus.REDIRECTED | LinkStatus.MOVED_OFFSITE:
                return LinkGroup.MOVED
            case (
                LinkStatus.BLOCKED
                | LinkStatus.TIMEOUT
                | LinkStatus.NETWORK_ERROR
                | LinkStatus.SERVER_ERROR
            ):
                return LinkGroup.UNVERIFIED
            case LinkStatus.DEAD | LinkStatus.SOFT_404 | LinkStatus.INVALID:
                return LinkGroup.BROKEN
            case LinkStatus.SKIPPED:
                return LinkGroup.SKIPPED
            case _ as unreachable:
                assert_never(unreachable)

    @property
    def is_ok(self) -> bool:
        """The source is there (possibly at another address)."""
        return self.group in (LinkGroup.OK, LinkGroup.MOVED)


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect hop: the status of the response and where it pointed."""

    status: int
    """HTTP status of the redirecting response (301, 302, 303, 307, 308)."""
    location: str
    """The absolute URL it redirected to."""


class PageRead(StrEnum):
    """How much of a live HTML page the checker read (`LinkCheck.read`)."""

    SOURCE = "source"
    """A cited source: title, dates (htmldate's search too, unless the URL is dated) and the
    text excerpt the claim rules read."""
    LINK = "link"
    """Any other hyperlink: what its verdict needs (title, headings, a short text for the
    soft-404 test) and the dates its markup states; no excerpt is kept."""


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The outcome of checking one URL. A broken link is a value of this type, not an error."""

    url: str
    """The URL that was checked (normalised)."""
    status: LinkStatus
    """The class of the outcome."""
    http_status: int | None = None
    """The final HTTP status, or None when no response arrived."""
    redirects: tuple[Hop, ...] = ()
    """Every redirect hop in order."""
    final_url: str | None = None
    """Where the redirects ended (None when there were none)."""
    content_type: str | None = None
    """The final response's media type, without parameters."""
    title: str | None = None
    """The page title (untrusted text: escape before display)."""
    published: DatedFact | None = None
    """The page's published date found on the page or in its URL, with its origin."""
    modified: DatedFact | None = None
    """The page's modified date, kept apart from the published one."""
    excerpt: str | None = field(default=None, repr=False)
    """A bounded plain-text excerpt of the main content, for the claim rules."""
    error: str | None = None
    """A one-line reason for anything but alive (`dns: name not found`)."""
    attempts: int = 0
    """How many requests were made for the first hop (1 + retries)."""
    elapsed_ms: int = 0
    """Wall time spent on this URL, in milliseconds."""
    checked_at: dt.datetime | None = None
    """When the check ran (UTC); a cached result keeps its original time."""
    from_cache: bool = False
    """True when the result came from the store instead of the network."""
    anchors: frozenset[str] | None = field(default=None, repr=False, compare=False)
    """The target's anchors (heading slugs, ids, names) when they were read for a `#fragment`
    check; None when they were not (no fragment asked, not HTML or Markdown, body cut short)."""
    checked_as: str | None = None
    """What was checked instead of `url` when `--remap` rewrote it, or the file a missing local
    path was found as with `--fallback-extensions` (`docs/guide.md` for `docs/guide`)."""
    with_extension: str | None = None
    """For a missing local file: the file the same path names with a page's extension added
    (`docs/guide` is missing, `docs/guide.md` is there), the target of a page-name link."""
    read: PageRead = PageRead.SOURCE
    """How much of the page was read (a cached `LINK` read does not serve a source)."""


_ADDRESS_REFUSAL = re.compile(r"^(?:redirect to \S+ refused: )?([\w() -]+? address)\b")
_EXCLUDED = re.compile(r"^excluded by (--?[\w-]+)")


def skip_reason(error: str | None) -> str:
    """Why a link was skipped, without the particulars, for counting: `loopback address`,
    `excluded by --exclude`, or the check's own reason (any kind of skip fits)."""
    text = " ".join((error or "").split())
    if match := _ADDRESS_REFUSAL.match(text):
        return match[1]
    if match := _EXCLUDED.match(text):
        return f"excluded by {match[1]}"
    return text[:80] or "skipped"


def is_address_refusal(reason: str) -> bool:
    """True for a `skip_reason` that `--allow-private` would lift."""
    return reason.endswith(" address")


ALLOW_PRIVATE_HINT = "--allow-private checks private, loopback and link-local addresses"
"""Said once, in the summary, when links were skipped for their address."""
