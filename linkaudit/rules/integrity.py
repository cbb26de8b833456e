"""Citation-integrity rules: markers and references that do not fit together, and self-citation.

They need only the document (they run offline too).

Self-citation: a source on the document's own site. The site is known from `Document.site_url`
(HTML canonical, URL input) or an http(s) `Document.origin`. A text file has neither, so the
document's *publisher voice* is read instead: a byline near the top (`ByAinvest`, `By Jane Doe`)
and the lines where a publisher speaks of itself (disclosure, copyright, "all rights reserved",
editorial standards: `Ainvest News utilizes ...`). A reference counts as a self-citation when
its registrable domain's label (`ainvest` of `ainvest.com`) equals such a name's first word or
the whole name without spaces. Names from ordinary body sentences are never used, so an
article *quoting* Yahoo News does not make yahoo.com a self-citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linkaudit.model import Citation, Document, Finding, RuleSkip, Severity
from linkaudit.rules.interface import Evidence, Rule, RuleContext, Scope
from linkaudit.urls import registrable_domain, same_site


def _is_footnote(citation: Citation) -> bool:
    """A `[^label]` marker: footnote syntax says it is a citation, list or not."""
    return citation.marker.startswith("[^")


class DanglingMarker(Rule):
    """A citation marker such as `[6]` names a reference that the list does not have.

    One finding per missing number, at its first marker; the evidence lists every occurrence and
    the reference ids the list does have. A document with no reference list at all is judged by
    `markers-without-list` instead (a bracketed number there may be anything: an index, program
    output, a README explaining an example), except for footnote markers (`[^note]`), whose
    syntax leaves no doubt: an undefined footnote is always an error.
    """

    ident = "dangling-marker"
    summary = "a citation marker names a reference that the list does not have"
    severity = Severity.ERROR
    scope = Scope.DOCUMENT
    needs = frozenset({Evidence.DOCUMENT})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        doc = ctx.document
        for ref_id in doc.dangling_markers:
            uses = [c for c in doc.citations if ref_id in c.ids]
            if not doc.references:
                uses = [c for c in uses if _is_footnote(c)]
                if not uses:
                    continue
            first = uses[0]
            yield self.finding(
                ctx,
                f"marker [{ref_id}] has no reference {ref_id} in the list",
                reference=ref_id,
                line=first.line,
                column=first.column,
                evidence={
                    "marker": first.marker or f"[{ref_id}]",
                    "occurrences": [{"line": c.line, "column": c.column} for c in uses],
                    "known_references": list(doc.reference_ids),
                    "claim": first.claim,
                },
            )


class MarkersWithoutList(Rule):
    """Bracketed numbers that look like citation markers in a document with no reference list,
    no footnote definitions and no numbered link definitions at all.

    One finding per document, listing the markers: they may be citations whose list was lost
    (a scraped page, a copied AI answer), or not citations at all (`the interval [1, 2]`,
    program output, a README explaining an example). Never an error: nothing says they should
    resolve.
    """

    ident = "markers-without-list"
    summary = "bracketed numbers look like citation markers, but the document has no list"
    severity = Severity.INFO
    scope = Scope.DOCUMENT
    needs = frozenset({Evidence.DOCUMENT})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        doc = ctx.document
        if doc.references:
            return
        markers = [c for c in doc.citations if not _is_footnote(c)]
        if not markers:
            return
        first = markers[0]
        shown = ", ".join(dict.fromkeys(c.marker or f"[{','.join(c.ids)}]" for c in markers))
        if len(shown) > 80:
            shown = shown[:77].rsplit(",", 1)[0] + ", ..."
        count = len(markers)
        yield self.finding(
            ctx,
            f"{count} bracketed number{'s' if count != 1 else ''} ({shown}) read as citation "
            "markers, but the document has no reference list",
            line=first.line,
            column=first.column,
            evidence={
                "markers": [
                    {"marker": c.marker, "line": c.line, "column": c.column} for c in markers
                ][:50],
                "claim": first.claim,
            },
        )


class UncitedReference(Rule):
    """A reference of the list that no marker in the body cites. Documents without any
    marker (a plain link list) are not judged.
    """

    ident = "uncited-reference"
    summary = "a reference is never cited in the body"
    severity = Severity.INFO
    scope = Scope.DOCUMENT
    needs = frozenset({Evidence.DOCUMENT})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        doc = ctx.document
        if not doc.citations:
            return  # a bare link list (or unmarked prose) is not a citation list
        by_id = {r.id: r for r in doc.references}
        for ref_id in doc.uncited_references:
            ref = by_id[ref_id]
            yield self.finding(
                ctx,
                f"reference [{ref_id}] is never cited in the body",
                reference=ref_id,
                url=ref.url,
                line=ref.line,
                column=ref.column,
                evidence={"reference_text": ref.text},
            )


class DuplicateReference(Rule):
    """Two references point at the same URL (after normalisation). Reported at the
    later reference, naming the first.
    """

    ident = "duplicate-reference"
    summary = "two references point at the same URL"
    severity = Severity.WARNING
    scope = Scope.DOCUMENT
    needs = frozenset({Evidence.DOCUMENT})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        doc = ctx.document
        by_id = {r.id: r for r in doc.references}
        for group in doc.duplicate_urls:
            first = by_id[group[0]]
            for ref_id in group[1:]:
                ref = by_id[ref_id]
                yield self.finding(
                    ctx,
                    f"reference [{ref_id}] points at the same URL as [{group[0]}]",
                    reference=ref_id,
                    url=ref.url,
                    line=ref.line,
                    column=ref.column,
                    evidence={"same_as": group[0], "url": first.url, "group": list(group)},
                )


_BYLINE = re.compile(r"^\s*By\s*([A-Z][\w.&'’ -]{1,60}?)\s*$")
_PUBLISHER_LINE = re.compile(
    r"disclosure|copyright|©|all rights reserved|editorial (?:standards|policy|team)|"
    r"terms of (?:use|service)",
    re.I,
)
_NAME_WORD = r"[A-Z][\w&'’-]*"
_PUBLISHER_NAME = re.compile(
    rf"\b([A-Z][\w-]{{2,}}(?:\s{_NAME_WORD}){{0,3}})\s+(?:News|Media|Fintech|Inc\b|Ltd\b|LLC\b|"
    r"Group\b|Corp\b|Editorial\b)|"
    r"(?:©|\(c\)|Copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?(?:The\s+)?"
    rf"({_NAME_WORD}(?:\s{_NAME_WORD}){{0,4}})"
)
"""A publisher speaking of itself: `Acme News`, `© 2019 The Riverside Gazette`. Names may have
several words; `_name_keys` makes each one comparable with a domain's first label."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def publisher_names(doc: Document) -> dict[str, str]:
    """Names the document uses for its own publisher: normalised name -> where it was read."""
    names: dict[str, str] = {}
    lines = doc.text.splitlines()
    for line in lines[:15]:
        if m := _BYLINE.match(line):
            for part in re.split(r",|\band\b", m[1]):
                if part.strip():
                    names.setdefault(_norm(part), f"byline {line.strip()!r}")
                    names.setdefault(_norm(part.split()[0]), f"byline {line.strip()!r}")
    for line in lines:
        if not _PUBLISHER_LINE.search(line):
            continue
        for m in _PUBLISHER_NAME.finditer(line):
            name = m[1] or m[2]
            quote = m[0] if len(m[0]) < 60 else m[0][:60]
            for key in _name_keys(name):
                names.setdefault(key, f"publisher line {quote!r}")
    names.pop("", None)
    return names


_NOT_NAME = frozenset({"all", "rights", "reserved", "inc", "ltd", "llc", "corp", "the"})


def _name_keys(name: str) -> list[str]:
    """`Riverside Gazette Media` -> `riversidegazette`, `riversidegazettemedia`: the name as a
    domain would spell it (`riversidegazette.com`), stopping at words that are not part of a
    name (`All Rights Reserved`). The first word alone counts only for a one-word name:
    `riverside.gov` is not the Riverside Gazette."""
    words: list[str] = []
    for word in name.split():
        if _norm(word) in _NOT_NAME:
            break
        words.append(word)
    if len(words) == 1:
        return [_norm(words[0])]
    return [_norm("".join(words[: i + 1])) for i in range(1, len(words))]


def document_site(doc: Document) -> str | None:
    """The document's own URL when known (`site_url`, else an http(s) origin)."""
    if doc.site_url:
        return doc.site_url
    if doc.origin.startswith(("http://", "https://")):
        return doc.origin
    return None


class SelfCitation(Rule):
    """The source is on the document's own site: the document cites its own publisher.

    The site is the registrable domain of the document's URL (HTML canonical link, or a URL
    given as input). A plain text file has none, so its publisher is read from its byline
    (`ByAinvest`, near the top) and from the lines where a publisher speaks of itself
    (disclosure, copyright, "all rights reserved", editorial standards): a reference whose
    domain's name (`ainvest` of `ainvest.com`) is that publisher's name is a self-citation. A
    name of several words counts run together as a domain writes it (`Copyright 2019 Riverside
    Gazette` is `riversidegazette.com`).
    Names in ordinary sentences (an article quoting "Yahoo News") never count.
    """

    ident = "self-citation"
    summary = "the source is on the document's own site"
    severity = Severity.INFO
    scope = Scope.DOCUMENT
    needs = frozenset({Evidence.DOCUMENT})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        doc = ctx.document
        site = document_site(doc)
        names = publisher_names(doc) if site is None else {}
        for ref in doc.references:
            if not ref.url:
                continue
            domain = registrable_domain(ref.url)
            how: str | None = None
            if site is not None:
                if same_site(site, ref.url):
                    how = f"the document is at {site}"
            else:
                label = domain.split(".")[0] if domain else ""
                if len(label) >= 3 and label in names:
                    how = f"the document's {names[label]} names its publisher {label!r}"
            if how is None:
                continue
            yield self.finding(
                ctx,
                f"reference [{ref.id}] is on the document's own site ({domain})",
                reference=ref.id,
                url=ref.url,
                line=ref.line,
                column=ref.column,
                evidence={"source_domain": domain, "how": how, "document_site": site},
            )
