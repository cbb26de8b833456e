"""What extraction gives: a `Document` with its references, citations, links and dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from linkaudit.model.problems import Problem


class DocFormat(StrEnum):
    """The format a document was read as."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class DateOrigin(StrEnum):
    """Where a date (of a document or of a source) was found. The JSON uses these values."""

    DATELINE = "dateline"
    """A visible dateline in the text (`Monday, Sep 1, 2025 10:46 am ET`)."""
    FRONT_MATTER = "front-matter"
    """Markdown front matter (`date:`)."""
    HTML_META = "html-meta"
    """An HTML meta tag (`article:published_time`, `og:published_time`, ...)."""
    JSON_LD = "json-ld"
    """JSON-LD `datePublished` / `dateModified`."""
    TIME_TAG = "time-tag"
    """An HTML `<time datetime>` element."""
    URL_PATH = "url-path"
    """A date in the URL path (`/2024/09/17/`)."""
    ARCHIVE_FIRST_CAPTURE = "archive-first-capture"
    """The first Wayback capture: the page existed no later than this ("no later than")."""
    AS_OF = "as-of"
    """Given by the user with `--as-of`."""
    HTTP_HEADER = "http-header"
    """`Last-Modified` (only ever used as a modified date)."""
    PAGE_TEXT = "page-text"
    """Heuristics on the page text (htmldate's extensive search)."""


@dataclass(frozen=True, slots=True)
class DatedFact:
    """A date together with where it came from."""

    value: dt.date
    """The calendar date."""
    origin: DateOrigin
    """Where it was found."""
    detail: str = ""
    """What exactly was read (the meta tag name, the dateline as written, ...)."""
    upper_bound: bool = False
    """True when the date only bounds the truth from above ("published no later than")."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One numbered (or labelled) entry of a document's reference list."""

    id: str
    """The reference number or footnote label as a string: `"5"`, `"note"`."""
    url: str | None
    """The normalised URL (trimmed, joined, repaired), or None for a text-only reference."""
    url_as_written: str | None
    """The URL exactly as it stands in the document."""
    line: int
    """1-based line of the entry."""
    column: int
    """1-based column of the entry's start."""
    text: str
    """The entry's label text (author, title, the whole line), whitespace collapsed."""
    repaired: bool = False
    """True when the URL was joined from pieces (wrapped lines, a stray space)."""
    identifiers: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Identifiers of the work the entry names (`isbn`, `doi`, `arxiv`, `pmid`), normalised; they
    identify a source that has no link (a book by ISBN) and travel to the JSON."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One marker occurrence in the body, such as `[1]`, `[1, 3]`, `[2-4]` or `[^note]`."""

    ids: tuple[str, ...]
    """The reference ids the marker names, ranges expanded, in order."""
    claim: str
    """The sentence (or list item, or table cell) that carries the marker, markers removed."""
    line: int
    """1-based line of the marker."""
    column: int
    """1-based column of the marker."""
    marker: str = ""
    """The marker as written."""
    lead: int | None = None
    """How many characters of `claim` stand before the marker (the words it closes, when it
    stands in mid-sentence); None when not known."""


class LinkKind(StrEnum):
    """What a hyperlink is in its document. The JSON uses these values."""

    LINK = "link"
    """A link a reader follows: inline, reference-style, autolink, bare URL, `<a href>`."""
    IMAGE = "image"
    """Something the page embeds: `![x](y)`, `<img src>`, `<source srcset>`, a badge, the `src` of
    a `<video>`, `<audio>`, `<iframe>` or `<embed>`."""


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink of the document that is not a reference entry (inline, autolink, bare, href)."""

    url: str
    """The normalised URL; for a link to a local file, the target as a path relative to the
    working directory with its `#fragment` (see `linkaudit.local`)."""
    url_as_written: str
    """The URL as written."""
    line: int
    """1-based line."""
    column: int
    """1-based column."""
    text: str = ""
    """The link text, if any."""
    kind: LinkKind = LinkKind.LINK
    """A link, or an image the document embeds."""


@dataclass(frozen=True, slots=True)
class Document:
    """One input document with everything extraction found in it."""

    origin: str
    """The path (as given) or URL it was read from; `-` for stdin."""
    format: DocFormat
    """How it was parsed."""
    text: str = field(repr=False)
    """The decoded text."""
    date: DatedFact | None = None
    """The document's own date and where it came from."""
    references: tuple[Reference, ...] = ()
    """The reference list, each id once (a duplicated list is reported once)."""
    citations: tuple[Citation, ...] = ()
    """Every marker in the body (a duplicated body is reported once)."""
    links: tuple[Link, ...] = ()
    """Other hyperlinks of the document."""
    duplicated_body: bool = False
    """True when the body and/or reference list appeared more than once."""
    problems: tuple[Problem, ...] = ()
    """Problems found while reading it (repaired URLs, duplicated body, ...)."""
    site_url: str | None = None
    """The document's own URL when known (HTML canonical, URL input), for self-citation."""
    anchors: frozenset[str] | None = field(default=None, repr=False)
    """The `#fragment`s links into it may name: GitHub heading slugs, ids, `<a name>`s (see
    `linkaudit.local.anchors`); None for plain text."""

    @property
    def reference_ids(self) -> tuple[str, ...]:
        """The ids of the reference list in order."""
        return tuple(r.id for r in self.references)

    @property
    def dangling_markers(self) -> tuple[str, ...]:
        """Ids cited in the body that the reference list does not have, in first-seen order."""
        known = set(self.reference_ids)
        seen: dict[str, None] = {}
        for citation in self.citations:
            for ref_id in citation.ids:
                if ref_id not in known:
                    seen.setdefault(ref_id, None)
        return tuple(seen)

    @property
    def uncited_references(self) -> tuple[str, ...]:
        """Ids of references that no marker cites."""
        cited = {ref_id for c in self.citations for ref_id in c.ids}
        return tuple(r.id for r in self.references if r.id not in cited)

    @property
    def duplicate_urls(self) -> tuple[tuple[str, ...], ...]:
        """Groups of reference ids that point at the same normalised URL. A `#!` fragment (a
        single-page application's route: `/forum/#!topic/x`) names a page of its own here,
        though the check, which never sends a fragment, reads the URL without it."""
        by_url: dict[str, list[str]] = {}
        for ref in self.references:
            if ref.url:
                written = ref.url_as_written or ""
                route = written[written.find("#!") :].split()[0] if "#!" in written else ""
                by_url.setdefault(ref.url + route, []).append(ref.id)
        return tuple(tuple(ids) for ids in by_url.values() if len(ids) > 1)

    def citations_of(self, ref_id: str) -> tuple[Citation, ...]:
        """The citations that name `ref_id`."""
        return tuple(c for c in self.citations if ref_id in c.ids)


def registrable_host(url: str) -> str:
    """The host of `url`, lower-cased, without `www.`; a cheap key for grouping by host."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
