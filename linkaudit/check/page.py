"""What a live HTML page says about itself: title, published/modified dates, main text excerpt.

Dates are looked for in htmldate's order of trust (see `shared/reference/dates-and-claims.md`):
meta tags, then microdata and JSON-LD, then `<time datetime>` (all read by `linkaudit.pagedates`),
then htmldate's search of the page; each keeps where it came from (`DateOrigin`). Modified dates
are kept apart from published ones. A date in the URL path is deliberately not read here:
`linkaudit.sourcedates` combines it with these. Everything here is untrusted text: callers
escape before display.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html  # type: ignore[import-untyped]
from lxml import etree
from lxml.html import HtmlElement

from linkaudit.model import DatedFact, DateOrigin
from linkaudit.pagedates import (
    MODIFIED_META,
    PUBLISHED_META,
    itemprop_fact,
    json_ld_fact,
    meta_fact,
    parse_date,
    time_fact,
)

_STRIP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg",
               "iframe", "template", "button", "select")
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption",
               "td", "dd")
_TITLE_CHARS = 500
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What was read from one HTML page."""

    title: str | None
    """The `<title>` (or og:title), whitespace collapsed, bounded."""
    headings: tuple[str, ...]
    """The `<h1>` texts, for the soft-404 heuristics."""
    published: DatedFact | None
    """The published date and where it came from."""
    modified: DatedFact | None
    """The modified date and where it came from."""
    excerpt: str
    """Plain text of the main content, paragraphs split by blank lines, bounded."""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _metas(doc: HtmlElement) -> dict[str, str]:
    """Every meta tag's name/property/itemprop (lower-case) -> content, first one wins."""
    found: dict[str, str] = {}
    for tag in doc.iter("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        content = tag.get("content")
        if key and content and key not in found:
            found[key] = content
    return found


def _itemprop_values(doc: HtmlElement, prop: str) -> Iterator[str]:
    """Values of `itemprop=prop` elements other than meta tags (microdata in the body)."""
    for tag in doc.xpath("//*[@itemprop=$p]", p=prop):
        if tag.tag != "meta":
            yield tag.get("datetime") or tag.get("content") or tag.text_content()


def _json_ld_blocks(doc: HtmlElement) -> Iterator[str]:
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        yield script.text_content() or ""


def _time_values(doc: HtmlElement) -> Iterator[str]:
    for tag in doc.iter("time"):
        yield tag.get("datetime") or ""


# htmldate logs every page it cannot date; one setting at import, not one per page.
logging.getLogger("htmldate").setLevel(logging.ERROR)


def _htmldate(doc: HtmlElement) -> DatedFact | None:
    """htmldate's search of the page in its fast mode (`extensive_search=False`).

    The fast mode reads what the structured sources above may have missed: date-like elements
    (a byline, a `class="date"`), the title and headings, timestamps and known phrasings. Its
    extensive mode adds a search of the whole page text that cost about 3 ms per undated page
    (ten times the rest of reading the page; see benchmarks/README.md) and whose findings are
    guesses: the copyright year or a lone year taken as January 1st, any date-shaped string
    anywhere on the page (a "related stories" list). A source dated by a guess makes
    stale-source and source-after-document fire wrongly; undated is the honest answer (the
    temporal rules skip and say why). htmldate works on a copy of the parsed tree: the page is
    parsed once.
    """
    try:
        from htmldate import find_date

        found = find_date(doc, original_date=True, extensive_search=False)
    except Exception:  # htmldate may choke on odd markup; a missing date is the honest answer
        return None
    day = parse_date(found) if isinstance(found, str) else None
    return DatedFact(day, DateOrigin.PAGE_TEXT, detail="htmldate") if day else None


def _excerpt(doc: HtmlElement, limit: int) -> str:
    found = doc.xpath("(//article | //main)[1]") or doc.xpath("//body")
    root: HtmlElement = found[0] if found else doc
    for tag in list(root.iter(*_STRIP_TAGS)):
        if tag.getparent() is not None:
            tag.drop_tree()
    parts: list[str] = []
    size = 0
    blocks = set(_BLOCK_TAGS)
    for block in root.iter(*_BLOCK_TAGS):
        if block.tag != "p" and any(d.tag in blocks for d in block.iterdescendants()):
            continue  # the inner blocks are taken on their own
        text = _clean(block.text_content())
        if not text:
            continue
        parts.append(text)
        size += len(text) + 2
        if size >= limit:
            break
    if not parts:
        parts = [_clean(root.text_content())]
    return "\n\n".join(parts)[:limit]


def _parse(html: str) -> HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:
        # A str with an XML encoding declaration: let lxml read the bytes instead.
        try:
            return lxml.html.document_fromstring(html.encode("utf-8"))
        except (ValueError, etree.ParserError):
            return None
    except etree.ParserError:
        return None


def read_page(html: str, *, excerpt_chars: int, use_htmldate: bool = True) -> PageFacts:
    """Read title, headings, dates and an excerpt from an HTML page (any markup, never raises).

    Parsed once, with lxml directly (about 40x faster than BeautifulSoup on article pages, which
    matters when thousands of pages are checked). `use_htmldate=False` skips htmldate's search
    (a hyperlink's page, or a source whose URL is dated: nothing would use its finding); the
    excerpt stops at `excerpt_chars`.
    """
    doc = _parse(html)
    if doc is None:
        return PageFacts(None, (), None, None, "")
    metas = _metas(doc)  # once: the title fallback and the dates both read them
    title = _clean(doc.findtext(".//title") or "")[:_TITLE_CHARS] or None
    if title is None:
        og = metas.get("og:title")
        title = _clean(og)[:_TITLE_CHARS] or None if og else None
    headings = tuple(_clean(h.text_content())[:_TITLE_CHARS] for h in doc.xpath("//h1")[:3])
    # Cheap substring tests spare whole-tree XPath scans on pages without microdata/JSON-LD.
    has_itemprop = "itemprop" in html
    has_json_ld = "ld+json" in html
    published = (
        meta_fact(metas, PUBLISHED_META)
        or (itemprop_fact(_itemprop_values(doc, "datePublished"), "datePublished")
            if has_itemprop else None)
        or (json_ld_fact(_json_ld_blocks(doc), "datePublished") if has_json_ld else None)
        or time_fact(_time_values(doc))
    )
    modified = (
        meta_fact(metas, MODIFIED_META)
        or (itemprop_fact(_itemprop_values(doc, "dateModified"), "dateModified")
            if has_itemprop else None)
        or (json_ld_fact(_json_ld_blocks(doc), "dateModified") if has_json_ld else None)
    )
    if published is None and use_htmldate:
        published = _htmldate(doc)  # before the excerpt, which prunes the tree
    return PageFacts(title, headings, published, modified, _excerpt(doc, excerpt_chars))


def decode_body(body: bytes, content_type: str) -> str:
    """A body as text: the charset the Content-Type declares, else UTF-8, else detection."""
    m = _CHARSET.search(content_type)
    if m:
        try:
            return body.decode(m.group(1), "replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
        return str(best) if best is not None else body.decode("latin-1")


def read_body(
    body: bytes, content_type: str, *, excerpt_chars: int, use_htmldate: bool = True
) -> PageFacts:
    """`read_page` of an HTML body as the server sent it (decoded here: a worker process gets
    the bytes, not a second copy of the text)."""
    return read_page(decode_body(body, content_type), excerpt_chars=excerpt_chars,
                     use_htmldate=use_htmldate)


def is_html(content_type: str) -> bool:
    """HTML (or XHTML) by media type."""
    return content_type in ("text/html", "application/xhtml+xml")
