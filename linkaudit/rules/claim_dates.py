"""Claims against their sources' dates: `stale-source`, `source-after-document`, `undated-source`.

`stale-source` decides as `StaleSource` says (`linkaudit.rules.time` reads the claim): an error
only for a named time after the source; a warning for a present clause set against a dated one;
a note for a claim in the present tense alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from linkaudit.model import Finding, LinkStatus, RuleSkip, Severity
from linkaudit.report._text import date_label, plural
from linkaudit.rules.interface import (
    Evidence,
    Rule,
    RuleContext,
    Scope,
    date_evidence,
    short,
)
from linkaudit.rules.time import Tense, TimeRef, claim_time, supported_part
from linkaudit.sourcedates import earliest_possible, latest_possible


def _no_date_reason(ctx: RuleContext) -> str:
    if ctx.offline:
        return "no date for the source: offline, only its URL was read and it has no date"
    return "no date for the source (URL, page metadata, page text and archive gave none)"


def _today(ctx: RuleContext) -> dt.date:
    """The latest date a document can have: the day of the run (or `--as-of`)."""
    return ctx.rules.as_of or dt.datetime.now(dt.UTC).date()


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
        if age <= ctx.rules.stale_after_days:
            return
        recent = doc_date.value - dt.timedelta(days=ctx.rules.stale_after_days)
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
            "stale_after_days": ctx.rules.stale_after_days,
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
