"""Extraction: from a `Source` to a `Document` with its references, citations, links and date.

`extract_document` never raises: whatever goes wrong inside an extractor becomes a `Problem` on
the returned document, so one strange file cannot stop a run.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from linkaudit.extract.dedupe import deduplicate
from linkaudit.extract.interface import Extraction, Extractor
from linkaudit.extract.pool import map_in_order, worker_count
from linkaudit.model import DatedFact, DateOrigin, DocFormat, Document, Problem, ProblemKind

if TYPE_CHECKING:
    from linkaudit.extract.html import HtmlExtractor
    from linkaudit.extract.markdown import MarkdownExtractor
    from linkaudit.extract.text import TextExtractor
    from linkaudit.inputs import Source

__all__ = [
    "Extraction",
    "Extractor",
    "HtmlExtractor",
    "MarkdownExtractor",
    "TextExtractor",
    "detect_format",
    "extract_document",
    "extract_documents",
    "extractor_for",
]

_EXTENSIONS = {
    ".md": DocFormat.MARKDOWN,
    ".markdown": DocFormat.MARKDOWN,
    ".mdown": DocFormat.MARKDOWN,
    ".mkd": DocFormat.MARKDOWN,
    ".html": DocFormat.HTML,
    ".htm": DocFormat.HTML,
    ".xhtml": DocFormat.HTML,
    ".txt": DocFormat.TEXT,
    ".text": DocFormat.TEXT,
}
_HTML_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<(?:head|body|p|div|article)[\s>]", re.I)
_MARKDOWN_SNIFF = re.compile(
    r"^(?:#{1,6} \S|```|~~~|\[\^[^\]]+\]:|\[[^\]]+\]:\s*\S)|\]\((?:https?://|/|#)", re.M
)


_LAZY = {
    "HtmlExtractor": "linkaudit.extract.html",
    "MarkdownExtractor": "linkaudit.extract.markdown",
    "TextExtractor": "linkaudit.extract.text",
}


def __getattr__(name: str) -> Any:
    """The extractors, imported when first asked for: the parsers they load (markdown-it,
    BeautifulSoup) cost a tenth of a second that `linkaudit --version` and every module that
    only needs `extract.positions` or `extract.markers` should not pay."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extractor_for(fmt: DocFormat) -> Extractor:
    """The extractor for a format."""
    match fmt:
        case DocFormat.TEXT:
            from linkaudit.extract.text import TextExtractor

            return TextExtractor()
        case DocFormat.MARKDOWN:
            from linkaudit.extract.markdown import MarkdownExtractor

            return MarkdownExtractor()
        case DocFormat.HTML:
            from linkaudit.extract.html import HtmlExtractor

            return HtmlExtractor()


def detect_format(origin: str, text: str) -> DocFormat:
    """The format by extension (`.md`, `.html`, `.txt`, ...), else by a look at the content."""
    lowered = origin.lower().split("?", 1)[0]
    for extension, fmt in _EXTENSIONS.items():
        if lowered.endswith(extension):
            return fmt
    head = text[:4096]
    if _HTML_SNIFF.search(head):
        return DocFormat.HTML
    if _MARKDOWN_SNIFF.search(head):
        return DocFormat.MARKDOWN
    return DocFormat.TEXT


def extract_document(source: Source, *, as_of: dt.date | None = None) -> Document:
    """Decode, detect the format and extract one document; never raises.

    `as_of` (from `--as-of`) replaces whatever date the document carries.
    """
    # NOTE: a parse tree is hundreds of thousands of small objects; the cyclic collector would
    # rescan them again and again while they are built (10-40% of the time). Pause it, and
    # restore it as it was.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _extract(source, as_of)
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - the last line of defence
        return Document(
            origin=source.origin,
            format=source.format or DocFormat.TEXT,
            text="",
            date=DatedFact(as_of, DateOrigin.AS_OF, detail="--as-of") if as_of else None,
            problems=(
                Problem(
                    ProblemKind.EXTRACT_ERROR,
                    f"{source.origin}: could not be read ({type(exc).__name__}); skipped",
                ),
            ),
        )
    finally:
        if paused:
            gc.enable()


def extract_documents(
    sources: Sequence[Source], *, as_of: dt.date | None = None, workers: int | None = None
) -> list[Document]:
    """`extract_document` of each source, the same documents in the same order; spread over
    `workers` processes (by default one per idle core for a large input: `extract.pool`)."""
    sizes = [len(s.data) for s in sources]
    if workers is None:
        workers = worker_count(sizes)
    return map_in_order(functools.partial(extract_document, as_of=as_of), sources, sizes, workers)


def _extract(source: Source, as_of: dt.date | None) -> Document:
    from linkaudit.inputs import decode  # charset-normalizer and pathspec: not at start-up

    text, problem = decode(source.data, source.origin)
    problems: list[Problem] = [problem] if problem is not None else []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = source.format or detect_format(source.url or source.origin, text)
    extraction = Extraction()
    if text.strip():
        try:
            extraction = extractor_for(fmt).extract(text, source.url)
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - bad input must not stop a run
            problems.append(
                Problem(
                    ProblemKind.EXTRACT_ERROR,
                    f"{source.origin}: could not extract ({type(exc).__name__}: "
                    f"{str(exc)[:120]}); nothing was read from it",
                )
            )
    deduped = deduplicate(
        extraction.references,
        extraction.citations,
        extraction.repeated_paragraphs,
        extraction.repeated_chars,
        extraction.body_chars,
    )
    date = extraction.date
    if as_of is not None:
        date = DatedFact(as_of, DateOrigin.AS_OF, detail="--as-of")
    problems.extend(extraction.problems)
    problems.extend(deduped.problems)
    reference_urls = {r.url for r in deduped.references if r.url}
    links = tuple(link for link in extraction.links if link.url not in reference_urls)
    return Document(
        origin=source.origin,
        format=fmt,
        text=text,
        date=date,
        references=deduped.references,
        citations=deduped.citations,
        links=links,
        duplicated_body=deduped.duplicated_body,
        problems=tuple(problems),
        site_url=extraction.site_url or source.url,
        anchors=extraction.anchors,
    )
