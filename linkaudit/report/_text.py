"""Text helpers shared by the report formats: shortening and wrapping URLs, labels, counts,
redacting secrets in free text.

Making untrusted text safe to show is `linkaudit.textsafe`'s job (one policy per target): import
`visible` and the other escapes from there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from linkaudit.model import (
    AuditResult,
    DatedFact,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    Problem,
    RuleSkip,
    Severity,
)
from linkaudit.textsafe import visible
from linkaudit.urls import redact_text, redact_url


def shorten(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters with an ellipsis in the middle (URLs keep both ends)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    tail = limit - 1 - head
    return f"{text[:head]}…{text[len(text) - tail:]}"


def short_url(url: str, limit: int = 60) -> str:
    """A URL for display: secrets redacted, scheme dropped, shortened in the middle, escaped."""
    url = redact_url(url)
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            url = url[len(prefix):]
            break
    return shorten(visible(url), limit)


_URL_BREAKS = frozenset("/?&=#-_.,;~+")


def wrap_url(url: str, width: int) -> list[str]:
    """`url` in lines of at most `width` characters, each broken after a `/`, `?`, `&`, `-` or
    another separator where one stands in the line's second half (never in the middle of a
    word when that can be helped). The lines joined give `url` back: nothing is cut out."""
    width = max(width, 8)
    lines: list[str] = []
    rest = url
    while len(rest) > width:
        cut = next(
            (i + 1 for i in range(width - 1, width // 2 - 1, -1) if rest[i] in _URL_BREAKS),
            width,
        )
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return lines


def wrap_points(text: str, width: int, indent: int) -> list[int]:
    """Where to break `text` (offsets of the spaces to break at) so that the first line holds at
    most `width` characters and every later line, indented by `indent`, too. Words longer than a
    line (a URL) are never cut: they stand alone on an overlong line."""
    points: list[int] = []
    start, limit = 0, width
    last_space = -1
    for i, char in enumerate(text):
        if char == " ":
            if i - start > limit and last_space > start:
                points.append(last_space)
                start, limit = last_space + 1, width - indent
            last_space = i
    if len(text) - start > limit and last_space > start:
        points.append(last_space)
    return points


def date_label(fact: DatedFact) -> str:
    """A date as precise as it is known: `2020-12` for a month-precision date, else ISO; `≤ `
    before a date that only bounds the truth from above (a first archive capture)."""
    from linkaudit.sourcedates import is_month_precision

    value = fact.value.isoformat()[:7] if is_month_precision(fact) else fact.value.isoformat()
    return f"≤ {value}" if fact.upper_bound else value


def is_web_url(url: str | None) -> bool:
    """True for http(s) URLs: the only ones a report turns into a clickable link."""
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def display_path(origin: str, root: Path | None = None) -> str:
    """A document origin as a report shows it: relative to `root` (the working directory) when the
    origin is a file below it, with `/` separators; URLs and `-` unchanged."""
    if origin == "-" or "://" in origin:
        return origin
    path = Path(origin)
    if path.is_absolute():
        base = (root or Path.cwd()).resolve()
        try:
            path = path.resolve().relative_to(base)
        except ValueError:
            return path.as_posix()
    return path.as_posix()


SEVERITY_ORDER: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)
"""Severities from the most to the least serious, the order every report lists them in."""

STATUS_ORDER: tuple[LinkStatus, ...] = tuple(LinkStatus)
"""Link statuses in their declared order (alive first), the order every report lists them in."""


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 finding`, `2 findings`, `0 findings` (with `many` for irregular plurals)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def _scrub_origin(origin: str) -> str:
    """A document origin that is a URL (an article given as a URL input), redacted; a path as is.
    Findings and skips name their document the same way, so grouping still matches."""
    return redact_url(origin) if "://" in origin else origin


def _scrub_problem(p: Problem) -> Problem:
    origin = redact_url(p.origin) if p.origin else p.origin
    return dataclasses.replace(p, message=redact_text(p.message), origin=origin)


def _scrub_check(c: LinkCheck) -> LinkCheck:
    if not c.error or "://" not in c.error:
        return c
    return dataclasses.replace(c, error=redact_text(c.error))


def scrub_finding(f: Finding) -> Finding:
    """`f` with the URLs in its document origin, message, fix and evidence redacted."""
    return dataclasses.replace(
        f,
        document=_scrub_origin(f.document),
        message=redact_text(f.message),
        fix=redact_text(f.fix) if f.fix else f.fix,
        evidence=_scrub_value(dict(f.evidence)),
    )


def scrub_document(d: Document) -> Document:
    """`d` with the URLs in its origin and problems redacted."""
    if not d.problems and "://" not in d.origin:
        return d
    return dataclasses.replace(
        d, origin=_scrub_origin(d.origin), problems=tuple(_scrub_problem(p) for p in d.problems)
    )


def scrub_skip(s: RuleSkip) -> RuleSkip:
    """`s` with a URL document origin redacted."""
    return dataclasses.replace(s, document=_scrub_origin(s.document)) if "://" in s.document else s


def scrub_problem(p: Problem) -> Problem:
    """`p` with the URLs in its message redacted."""
    return _scrub_problem(p)


def scrub_check(c: LinkCheck) -> LinkCheck:
    """`c` with the URLs in its error redacted."""
    return _scrub_check(c)


def scrub_secrets(result: AuditResult) -> AuditResult:
    """`result` with the URLs inside free text redacted: finding messages, fixes and evidence,
    problems, check errors (a redirect target or a fix suggestion may carry `?token=`), and
    document origins that are URLs.

    URL fields are redacted by each format where it shows them; identities (fingerprints, the
    keys of `checks`) are left alone so that baselines and lookups still match. A format that
    streams (JSON) scrubs item by item instead (`scrub_finding` and its siblings), so that no
    second copy of the result is built.
    """
    return dataclasses.replace(
        result,
        documents=tuple(scrub_document(d) for d in result.documents),
        findings=tuple(scrub_finding(f) for f in result.findings),
        skips=tuple(scrub_skip(s) for s in result.skips),
        problems=tuple(_scrub_problem(p) for p in result.problems),
        checks={url: _scrub_check(c) for url, c in result.checks.items()},
    )


_FINDINGS_INDEX: tuple[tuple[Finding, ...], dict[str, list[Finding]]] | None = None


def findings_of(result: AuditResult, document: str) -> list[Finding]:
    """The findings of one document, from an index built once per result.

    Every renderer asks this per document (and per reference): scanning all findings each time
    is quadratic on a crawled site of thousands of articles. The one-slot memo holds the
    findings tuple it indexed, so the identity check cannot be fooled by a reused id.
    """
    global _FINDINGS_INDEX
    if _FINDINGS_INDEX is None or _FINDINGS_INDEX[0] is not result.findings:
        index: dict[str, list[Finding]] = {}
        for finding in result.findings:
            index.setdefault(finding.document, []).append(finding)
        _FINDINGS_INDEX = (result.findings, index)
    return _FINDINGS_INDEX[1].get(document, [])
