"""Claims against their sources' text: `unsupported-number`, `weak-support`, `copied-citation`.

No model: numbers and words only, so that every finding shows evidence a reader can check. Each
rule runs only where page text was retrieved; otherwise it skips, saying why.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator, Sequence

from linkaudit.extract.markers import Marker, find_markers
from linkaudit.extract.sentences import claim_spans
from linkaudit.model import Finding, LinkStatus, RuleSkip, Severity
from linkaudit.rules.interface import (
    Evidence,
    Rule,
    RuleContext,
    Scope,
    SourceInfo,
    answered_ok,
    short,
)
from linkaudit.rules.numbers import Figure, figures_in, split_figures


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


_BRACKET = re.compile(r"\[[^\]]*\]")
"""One bracket of a marker as written: `[7][8]` is one marker of two brackets."""


def _tokens(text: str, markers: Sequence[Marker] | None = None) -> list[str]:
    """The words of `text`, lower-cased, its citation markers (`extract`'s grammar) left out."""
    if markers is None:
        markers = find_markers(text) if "[" in text else []
    kept, pos = [], 0
    for marker in markers:
        kept.append(text[pos : marker.start])
        pos = marker.end
    kept.append(text[pos:])
    return re.findall(r"[a-z0-9]+", " ".join(kept).lower().replace("’", "'"))


def _marked(text: str) -> list[tuple[str, list[Marker], list[Marker]]]:
    """Each sentence of `text` that carries markers: the sentence, its own markers and every
    marker inside it, offsets relative to the sentence.

    A page's text is read as the extractor reads a document: line by line, markers by
    `linkaudit.extract.markers.find_markers` (without a reference list: every bracketed
    number that is no year), sentences by `linkaudit.extract.sentences.claim_spans` (a marker
    after the full stop, or after a citing word alone, goes with the sentence before). The
    sentence runs on to the end of its last marker."""
    out: list[tuple[str, list[Marker], list[Marker]]] = []
    if "[" not in text:
        return out  # most pages carry no markers at all: no need to split them
    for line in text.split("\n"):
        markers = find_markers(line) if "[" in line else []
        if not markers:
            continue
        groups: dict[tuple[int, int], list[Marker]] = {}
        for marker, span in zip(markers, claim_spans(line, markers), strict=True):
            groups.setdefault(span, []).append(marker)
        taken = 0  # a sentence starts after the markers the one before it took
        for (start, end), own in groups.items():
            start, end = max(start, taken), max(end, own[-1].end)
            taken = end
            piece = line[start:end]
            start += len(piece) - len(piece.lstrip())
            sentence = piece.strip()

            def shift(m: Marker, at: int = start) -> Marker:
                return Marker(m.start - at, m.end - at, m.ids)

            inside = [shift(m) for m in markers if start <= m.start and m.end <= end]
            out.append((sentence, [shift(m) for m in own], inside))
    return out


def marked_sentences(text: str) -> list[tuple[str, list[str]]]:
    """The sentences of `text` that carry bracket markers, with their markers as written
    (one entry a bracket, spaces removed: `[1,2]`, `[7]`, `[8]`)."""
    return [(sentence, _written(sentence, own)) for sentence, own, _ in _marked(text)]


def _written(sentence: str, markers: list[Marker]) -> list[str]:
    return [b.replace(" ", "") for m in markers for b in _BRACKET.findall(m.text_in(sentence))]


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
    for sentence, own, inside in _marked(text):
        tokens = _tokens(sentence, inside)
        out.append((sentence, _written(sentence, own), tokens, frozenset(tokens)))
    return out


def clear_caches() -> None:
    """Forget the per-source-text caches (called at the end of each `analyse`)."""
    _vocabulary.cache_clear()
    _stated_figures.cache_clear()
    _sentences_of.cache_clear()
