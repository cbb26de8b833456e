"""Claims against their sources: dates, figures, key terms and copied citation lists.

No model: dates, numbers and words only, so that every finding shows evidence a reader can check
(`shared/reference/dates-and-claims.md`: "Rules (dates, numbers, named terms) need no model").

`stale-source`, the time rule, decides as `StaleSource` says (`linkaudit.rules.time` reads the
claim): an error only for a named time after the source; a warning for a present clause set
against a dated one; a note for a claim in the present tense alone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from linkaudit.model import Finding, LinkStatus, RuleSkip, Severity
from linkaudit.report._text import date_label, plural
from linkaudit.rules.interface import (
    Evidence,
    Rule,
    RuleContext,
    Scope,
    SourceInfo,
    answered_ok,
    date_evidence,
    short,
)
from linkaudit.rules.numbers import Figure, figures_in, split_figures
from linkaudit.rules.time import Tense, TimeRef, claim_time, supported_part
from linkaudit.sourcedates import earliest_possible, latest_possible


def _no_date_reason(ctx: RuleContext) -> str:
    if ctx.offline:
        return "no date for the source: offline, only its URL was read and it has no date"
    return "no date for the source (URL, page metadata, page text and archive gave none)"


def _no_text_reason(info: SourceInfo, offline: bool) -> str:
    if offline:
        return "no page text: offline"
    check = info.check
    if check is None:
        return "no page text: the URL was not checked"
    if not check.status.is_ok:
        return f"no page text: the link is {check.status.value}"
    if not answered_ok(check):
        return (f"no page text: HTTP {check.http_status} is accepted by the host policy, but an "
                "error page is no evidence")
    return "no page text: the page had no readable text"


def _today(ctx: RuleContext) -> dt.date:
    """The latest date a document can have: the day of the run (or `--as-of`)."""
    return ctx.cfg.rules.as_of or dt.datetime.now(dt.UTC).date()


def _time_evidence(ref: TimeRef) -> dict[str, str]:
    return {"period": ref.label(), "kind": ref.kind.value, "as_written": ref.text}


def _covered_by_another(ctx: RuleContext, start: dt.date) -> bool:
    """True when another source of the same citation can speak of times from `start` on.

    A citation of several sources (`[1, 5]`) may pair an older source for an older part of the
    claim with a newer one for the rest; only when none of them is recent enough is it stale.
    """
    assert ctx.citation is not None and ctx.reference is not None
    for ref_id in ctx.citation.ids:
        other = ctx.sources.get(ref_id)
        if ref_id == ctx.reference.id or other is None or other.date is None:
            continue
        if latest_possible(other.date) >= start:
            return True
    return False


class StaleSource(Rule):
    """The source was published before the time the claim speaks of: it cannot report it.

    The claim's time is read from its words: years, halves, quarters (`Q2 2025`, `the June
    quarter` with the document's year), months, days, and `last month`, `this year` and the like
    relative to the document's date. A clause in the present or present perfect with no time of
    its own speaks of the document's date. The source's date comes from its URL, the page's
    metadata, its visible dateline, or its first archive capture ("no later than").

    - **error** only with evidence that the claim speaks of a time after the source: a named
      year, quarter, month or day that begins after the source was published (a page of
      2024-09-17 cited for events of 2025), or a time relative to the document's date (`this
      year`, `last month`) that does;
    - **warning** when a present or present-perfect clause with no time of its own is set
      against a clause that names one (`... market in 2024, while its H20 chip ... has drawn
      scrutiny`) and the source is older than `--stale-after` days (default 180) before the
      document: the writer set that part apart from the dated one, but it may still speak of
      the dated time (`Smith won the prize in 2019, but he has declined to comment`);
    - **info** when the whole claim is in the present tense with no time named and the source
      is that old: a present tense alone is no evidence of a later time.

    Silent for past-tense claims without a time, for forecasts and plans (times after the
    document's date, or after the day of the run when the document has no date; and the times
    of a clause that states an expectation or a plan, which the older source may well have
    stated: `analysts expected growth in 2025`, `plans to open in 2026`, `due for release in
    late 2011`), for named times the source can cover (a 2024 source for a 2024 claim), and when
    another source of the same citation is recent enough. Dates that are no time the claim
    speaks of are set aside, each named in the evidence: a date in a quoted title (the source's
    own, or a short Title-Case phrase: `the "State of AI in 2025" report`), the dateline of a
    cited work (`Re: Hashing by Jane Roe, CCC, March 16, 2016`), a number that is a size (`2048
    bytes`, `1920x1080`). A marker in mid-sentence supports the clause it closes (`He graduated
    in 2005 from X [3], and worked there until 2011`: not 2011), unless the words before it name
    the source (`According to the report [3], ...`). A source known only to the month
    (`/2024/09/`) counts as published at the end of that month. Skipped, with the reason, when
    the source has no date (and for a present-tense claim when the document has none).
    Evidence: both dates with their origins, the claim, the times it names, the dates set aside
    and the basis of the decision.
    """

    ident = "stale-source"
    summary = "the source was published before the time the claim speaks of"
    severity = Severity.ERROR
    scope = Scope.CITED_SOURCE
    needs = frozenset({Evidence.SOURCE_DATE, Evidence.DOCUMENT_DATE})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        citation = ctx.citation
        assert citation is not None
        if ctx.source_date is None:
            yield self.skip(ctx, _no_date_reason(ctx))
            return
        doc_date = ctx.document_date
        spoken = supported_part(citation.claim, citation.lead)
        titles = [ctx.reference.text if ctx.reference else "", ctx.check.title if ctx.check
                  else ""]
        claim = claim_time(spoken, doc_date.value if doc_date else None, today=_today(ctx),
                           titles=[t for t in titles if t])
        source_latest = latest_possible(ctx.source_date)
        after = [t for t in claim.named if t.start > source_latest]
        evidence: dict[str, Any] = (
            date_evidence("source", ctx.source_date)
            | date_evidence("document", doc_date)
            | {
                "claim": short(citation.claim, 400),
                "named_times": [_time_evidence(t) for t in claim.named],
            }
        )
        if spoken != citation.claim:
            evidence["supported_part"] = short(spoken, 400)
        if claim.set_aside:
            evidence["set_aside"] = [
                _time_evidence(a.time) | {"reason": a.reason} for a in claim.set_aside
            ]
        source_iso = date_label(ctx.source_date)
        origin = ctx.source_date.origin.value
        if after:
            latest = max(after, key=lambda t: t.start)
            if _covered_by_another(ctx, latest.start):
                return
            evidence |= {"claim_time": latest.label(), "claim_time_basis": f"names {latest.text!r}"}
            yield self.finding(
                ctx,
                f"[{ctx.reference.id if ctx.reference else '?'}] published {source_iso} "
                f"({origin}) is cited for {latest.text!r} ({latest.label()}), which is later",
                evidence=evidence,
                severity=Severity.ERROR,
            )
            return
        present = claim.present_clause
        if present is None:
            return
        if doc_date is None:
            yield self.skip(ctx, "no date for the document: a present-tense claim cannot be dated")
            return
        age = (doc_date.value - source_latest).days
        if age <= ctx.cfg.rules.stale_after_days:
            return
        recent = doc_date.value - dt.timedelta(days=ctx.cfg.rules.stale_after_days)
        if _covered_by_another(ctx, recent):
            return
        tense = "present perfect" if present.tense is Tense.PRESENT_PERFECT else "present tense"
        basis = f"{tense} {present.marker!r} with no time of its own"
        if claim.contrasted:
            named = ", ".join(repr(t.text) for t in claim.named)
            basis += f", set against {named}: it speaks of the document's date"
            severity = Severity.WARNING
        else:
            basis += ": it speaks of the document's date"
            severity = Severity.INFO
        evidence |= {
            "claim_time": doc_date.value.isoformat(),
            "claim_time_basis": basis,
            "clause": short(present.text, 300),
            "days_older_than_document": age,
            "stale_after_days": ctx.cfg.rules.stale_after_days,
        }
        contrast = (
            f", set against {', '.join(repr(t.text) for t in claim.named)}"
            if claim.contrasted
            else ""
        )
        yield self.finding(
            ctx,
            f"[{ctx.reference.id if ctx.reference else '?'}] published {source_iso} ({origin}) "
            f"is cited for the document's present ({doc_date.value.isoformat()}, "
            f"{doc_date.origin.value}: {tense} {present.marker!r}{contrast}), "
            f"{plural(age, 'day')} later",
            evidence=evidence,
            severity=severity,
        )


class SourceAfterDocument(Rule):
    """The source was published after the document: the author cannot have read it
    then (a wrong link, or a page that replaced the one cited). A first archive capture only
    bounds the date from above, so it never triggers this rule; a month-precision URL date
    counts from the month's first day.
    """

    ident = "source-after-document"
    summary = "the source was published after the document"
    severity = Severity.WARNING
    scope = Scope.REFERENCE
    needs = frozenset({Evidence.SOURCE_DATE, Evidence.DOCUMENT_DATE})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        if not ctx.citations:
            return
        if ctx.source_date is None:
            yield self.skip(ctx, _no_date_reason(ctx))
            return
        if ctx.document_date is None:
            yield self.skip(ctx, "no date for the document (give --as-of)")
            return
        earliest = earliest_possible(ctx.source_date)
        if earliest is None or earliest <= ctx.document_date.value:
            return
        yield self.finding(
            ctx,
            f"[{ctx.reference.id if ctx.reference else '?'}] published {earliest.isoformat()} "
            f"({ctx.source_date.origin.value}), after the document "
            f"({ctx.document_date.value.isoformat()}, {ctx.document_date.origin.value})",
            evidence=date_evidence("source", ctx.source_date)
            | date_evidence("document", ctx.document_date),
        )


class UndatedSource(Rule):
    """No date could be found for a cited source (URL, page metadata, page text, archive),
    so `stale-source` and `source-after-document` could not run for it. `--archive all` dates
    sources by their first capture. Skipped offline, where only the URL is read.
    """

    ident = "undated-source"
    summary = "no date could be found for a cited source, so the time rules could not run"
    severity = Severity.INFO
    scope = Scope.REFERENCE
    needs = frozenset({Evidence.LINK_CHECK})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        if not ctx.citations or ctx.source_date is not None:
            return
        if ctx.offline or ctx.check is None:
            yield self.skip(
                ctx, "offline: only the URL was read" if ctx.offline else "the URL was not checked"
            )
            return
        if ctx.check.status in (LinkStatus.SKIPPED, LinkStatus.INVALID):
            yield self.skip(ctx, f"the page was not read ({ctx.check.status.value})")
            return
        tried = {
            "url_path": "no date",
            "page": ctx.check.status.value,
            "archive": ctx.archive.state.value if ctx.archive else "not looked up",
        }
        yield self.finding(
            ctx,
            f"[{ctx.reference.id if ctx.reference else '?'}] has no date (URL, page, archive): "
            "stale-source and source-after-document could not run",
            evidence={"tried": tried},
        )


def _cited(ctx: RuleContext) -> list[SourceInfo]:
    assert ctx.citation is not None
    return [ctx.sources[i] for i in ctx.citation.ids if i in ctx.sources]


def _texts(ctx: RuleContext, rule: Rule) -> tuple[list[SourceInfo], RuleSkip | None]:
    """The cited sources with text; a skip when one of them has none."""
    cited = _cited(ctx)
    with_text = [s for s in cited if s.text]
    without = [s for s in cited if not s.text]
    if without:
        first = without[0]
        return with_text, rule.skip(
            ctx, _no_text_reason(first, ctx.offline), reference=first.reference.id
        )
    return with_text, None


def _ids(sources: Sequence[SourceInfo]) -> str:
    return ", ".join(f"[{s.reference.id}]" for s in sources)


class UnsupportedNumber(Rule):
    """A figure of the claim (an amount such as `$53 billion`, a percentage such as
    `26%`, a count) that no cited source's text states in any usual spelling: `$53B`, `$53bn`,
    `53 bn`, `53 billion`, `53,000,000,000`; `26 percent`, `26 per cent`. Years and small counts
    are not figures. A source may state a figure more precisely than the claim (`$2.71 billion`
    for `$2.7 billion`). Runs only where page text was retrieved: otherwise it skips, saying why.
    """

    ident = "unsupported-number"
    summary = "a figure in the claim does not appear in the cited source's text"
    severity = Severity.WARNING
    scope = Scope.CITATION
    needs = frozenset({Evidence.PAGE_TEXT})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        citation = ctx.citation
        assert citation is not None
        if not figures_in(citation.claim):
            return  # nothing to look for: the sources' figures need not be read
        text_sources, skip = _texts(ctx, self)
        stated = [f for s in text_sources for f in _stated_figures(s.text or "")]
        found, missing = split_figures(citation.claim, stated)
        if not missing:
            return
        if skip is not None:
            yield skip  # a source without text might state it: no guess
            return
        first = text_sources[0].reference
        yield self.finding(
            ctx,
            f"{', '.join(f.text for f in missing)} not found in the text of {_ids(text_sources)}",
            reference=first.id,
            url=first.url,
            evidence={
                "figures_not_found": [f.text for f in missing],
                "figures_found": [f.text for f in found],
                "claim": short(citation.claim, 400),
                "sources": [s.reference.url for s in text_sources],
                "text_chars": sum(len(s.text or "") for s in text_sources),
            },
        )


_STOP = frozenset(
    (
        "about", "above", "after", "again", "against", "also", "among", "another", "because",
        "been", "before", "being", "below", "between", "both", "could", "does", "doing",
        "down", "during", "each", "even", "ever", "from", "further", "have", "having", "here",
        "into", "just", "like", "made", "make", "many", "more", "most", "much", "must", "only",
        "other", "over", "same", "should", "since", "some", "such", "than", "that", "their",
        "them", "then", "there", "these", "they", "this", "those", "through", "under", "until",
        "very", "what", "when", "where", "which", "while", "will", "with", "within", "would",
        "your", "year", "years", "according", "report", "reported", "reportedly", "said",
        "says", "company", "companies", "new", "amid",
    )
)


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)][:7]
    return word[:7]


def key_terms(text: str) -> list[str]:
    """The claim's content words (4+ letters, not stop words), stemmed, in order, once each."""
    seen: dict[str, None] = {}
    for word in re.findall(r"[A-Za-z][A-Za-z-]{3,}", text):
        if word.lower() not in _STOP:
            seen.setdefault(_stem(word), None)
    return list(seen)


# Per source text, for one `analyse` run (which clears them, see `clear_caches`): large enough
# that a document citing thousands of sources does not evict in a cycle and recompute each one
# for every citation (an LRU smaller than the working set never hits).
_SOURCE_CACHE = 4096


@functools.lru_cache(maxsize=_SOURCE_CACHE)
def _vocabulary(text: str) -> frozenset[str]:
    # Each excerpt is read once per run, however many citations name its source.
    return frozenset(_stem(w) for w in set(re.findall(r"[A-Za-z][A-Za-z-]*", text)))


@functools.lru_cache(maxsize=_SOURCE_CACHE)
def _stated_figures(text: str) -> tuple[Figure, ...]:
    return tuple(figures_in(text))


class WeakSupport(Rule):
    """Most of the claim's key terms (content words of four letters or more, lightly stemmed)
    are absent from the cited sources' text: fewer than a third of at least five. A hint for an
    editor, not a verdict: the source may say it in other words. Runs only where page text was
    retrieved.
    """

    ident = "weak-support"
    summary = "most of the claim's key terms are absent from the source's text"
    severity = Severity.INFO
    scope = Scope.CITATION
    needs = frozenset({Evidence.PAGE_TEXT})
    min_terms = 5
    """Claims with fewer key terms are too short to judge."""
    threshold = 0.34
    """Fire when fewer than this share of the key terms is found."""

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        citation = ctx.citation
        assert citation is not None
        terms = key_terms(citation.claim)
        if len(terms) < self.min_terms:
            return
        text_sources, skip = _texts(ctx, self)
        if skip is not None:
            yield skip
            return
        vocabulary: set[str] = set()
        for source in text_sources:
            vocabulary |= _vocabulary(source.text or "")
        present = [t for t in terms if t in vocabulary]
        share = len(present) / len(terms)
        if share >= self.threshold:
            return
        first = text_sources[0].reference
        yield self.finding(
            ctx,
            f"only {len(present)} of {len(terms)} key terms of the claim appear in "
            f"{_ids(text_sources)}",
            reference=first.id,
            url=first.url,
            evidence={
                "terms_found": present,
                "terms_missing": [t for t in terms if t not in vocabulary],
                "share": round(share, 2),
                "claim": short(citation.claim, 400),
            },
        )


_MARKER = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _MARKER.sub(" ", text.lower().replace("’", "'")))


def marked_sentences(text: str) -> list[tuple[str, list[str]]]:
    """The sentences of `text` that carry bracket markers, with their markers."""
    out: list[tuple[str, list[str]]] = []
    if not _MARKER.search(text):
        return out  # most pages carry no markers at all: no need to split them
    # Cut after sentence ends, keeping a marker that follows the full stop with its sentence.
    # "risks [5].Chinese" and "market.The" (no space) are sentence ends too; "U.S." is not.
    for piece in re.split(
        r"(?<=[.!?])\s+(?=[A-Z\"“])|(?<=\])\s*(?=[A-Z])|(?<=[a-z0-9\]][.!?])(?=[A-Z])|\n+", text
    ):
        markers = _MARKER.findall(piece)
        if markers:
            out.append((piece.strip(), [m.replace(" ", "") for m in markers]))
    return out


class CopiedCitation(Rule):
    """The claim sentence stands nearly word for word in one of the document's sources,
    together with bracket markers such as `[5]`: the sentence and its citation were copied from
    that source, and the numbers belong to that source's reference list, not this document's.
    The finding names the source it was copied from (its reference id and URL) and quotes the
    sentence found there with its markers. Runs only where page text was retrieved.
    """

    ident = "copied-citation"
    summary = "the claim and its markers were copied from another source with its numbering"
    severity = Severity.WARNING
    scope = Scope.CITATION
    needs = frozenset({Evidence.PAGE_TEXT})
    min_ratio = 0.85
    """Token-sequence similarity needed (difflib ratio)."""
    min_tokens = 8
    """Claims shorter than this are too common to call copied."""

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        citation = ctx.citation
        assert citation is not None
        claim_tokens = _tokens(citation.claim)
        if len(claim_tokens) < self.min_tokens:
            return
        claim_set = set(claim_tokens)
        best: tuple[float, SourceInfo, str, list[str]] | None = None
        for info in ctx.sources.values():
            if not info.text or (info.check is not None and info.check.status is LinkStatus.DEAD):
                continue
            for sentence, markers, tokens, token_set in _sentences_of(info.text):
                # Cheap filters first: length, shared words, then difflib's quick bounds.
                if 2 * min(len(tokens), len(claim_tokens)) < self.min_ratio * (
                    len(tokens) + len(claim_tokens)
                ):
                    continue
                if len(claim_set & token_set) < 0.6 * len(claim_set):
                    continue
                matcher = difflib.SequenceMatcher(None, claim_tokens, tokens, autojunk=False)
                if matcher.quick_ratio() < self.min_ratio:
                    continue
                ratio = matcher.ratio()
                if ratio >= self.min_ratio and (best is None or ratio > best[0]):
                    best = (ratio, info, sentence, markers)
        if best is None:
            if not any(info.text for info in ctx.sources.values()):
                yield self.skip(
                    ctx,
                    "no page text for any source" + (": offline" if ctx.offline else ""),
                )
            return
        ratio, info, sentence, markers = best
        src = info.reference
        cited = ", ".join(f"[{i}]" for i in citation.ids)
        where = f"its own source [{src.id}]" if src.id in citation.ids else f"[{src.id}]"
        yield self.finding(
            ctx,
            f"the claim cited as {cited} stands nearly word for word in {where} "
            f"({src.url}) with that page's {'marker' if len(markers) == 1 else 'markers'} "
            f"{' '.join(markers)}: the citation was "
            f"copied from [{src.id}], and its numbers belong to [{src.id}]'s reference list",
            reference=src.id,
            url=src.url,
            evidence={
                "copied_from": src.id,
                "copied_from_url": src.url,
                "source_sentence": short(sentence, 500),
                "source_markers": markers,
                "cited_as": list(citation.ids),
                "claim": short(citation.claim, 500),
                "similarity": round(ratio, 3),
            },
        )


@functools.lru_cache(maxsize=_SOURCE_CACHE)
def _sentences_of(text: str) -> list[tuple[str, list[str], list[str], frozenset[str]]]:
    # The same excerpt is searched once per citation: split and tokenise it once.
    out = []
    for sentence, markers in marked_sentences(text):
        tokens = _tokens(sentence)
        out.append((sentence, markers, tokens, frozenset(tokens)))
    return out


def clear_caches() -> None:
    """Forget the per-source-text caches (called at the end of each `analyse`)."""
    _vocabulary.cache_clear()
    _stated_figures.cache_clear()
    _sentences_of.cache_clear()
