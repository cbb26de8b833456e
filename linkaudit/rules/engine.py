"""`analyse`: run every enabled rule over the documents and collect findings and skips.

It builds one `RuleContext` per run of a rule (see `Scope`), applies the rules section's
`disable_rules` and `severity_overrides`, and orders the findings by document (input order),
line, rule and column. Skips that say the same thing for several references of a document
(offline: every link) are merged into one skip naming them, so the output stays short.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import assert_never

from linkaudit.config import LinksConfig, RulesConfig
from linkaudit.local.resolve import Target, target_of
from linkaudit.local.tree import judge_tree
from linkaudit.model import (
    ArchiveLookup,
    Citation,
    DatedFact,
    DateOrigin,
    Document,
    Finding,
    LinkCheck,
    RuleSkip,
    Severity,
)
from linkaudit.rules.claims import clear_caches
from linkaudit.rules.interface import Evidence, Rule, RuleContext, Scope, SourceInfo
from linkaudit.sourcedates import source_published


def document_date(doc: Document, rules: RulesConfig) -> DatedFact | None:
    """The date a document speaks from: `--as-of` when given (it overrides), else its own."""
    if rules.as_of is not None:
        return DatedFact(rules.as_of, DateOrigin.AS_OF, detail="--as-of")
    return doc.date


def _citations_by_reference(doc: Document) -> dict[str, tuple[Citation, ...]]:
    """`doc.citations_of` for every reference at once: one pass over the citations, instead of
    one pass per reference per rule (quadratic on long reference lists)."""
    out: dict[str, list[Citation]] = {}
    for citation in doc.citations:
        for ref_id in dict.fromkeys(citation.ids):
            out.setdefault(ref_id, []).append(citation)
    return {ref_id: tuple(items) for ref_id, items in out.items()}


def _reference_context(
    base: RuleContext, info: SourceInfo, by_ref: Mapping[str, tuple[Citation, ...]]
) -> RuleContext:
    """The context of one reference of the document, with the citations that name it."""
    return dataclasses.replace(
        base, reference=info.reference, url=info.reference.url, check=info.check,
        archive=info.archive, source_date=info.date,
        citations=by_ref.get(info.reference.id, ()),
    )


def _contexts(
    scope: Scope, base: RuleContext, checks: Mapping[str, LinkCheck],
    archives: Mapping[str, ArchiveLookup],
) -> list[RuleContext]:
    """Every context of one scope for the document of `base` (see `Scope`)."""
    doc = base.document
    match scope:
        case Scope.DOCUMENT:
            return [base]
        case Scope.LINK:
            by_ref = _citations_by_reference(doc)
            return [_reference_context(base, info, by_ref) for info in base.sources.values()] + [
                dataclasses.replace(
                    base, link=link, url=link.url, check=checks.get(link.url),
                    archive=archives.get(link.url),
                )
                for link in doc.links
            ]
        case Scope.REFERENCE:
            by_ref = _citations_by_reference(doc)
            return [_reference_context(base, info, by_ref) for info in base.sources.values()]
        case Scope.CITED_SOURCE:
            out = []
            for citation in doc.citations:
                for ref_id in dict.fromkeys(citation.ids):
                    cited = base.sources.get(ref_id)
                    if cited is None:
                        continue
                    out.append(dataclasses.replace(
                        base, reference=cited.reference, url=cited.reference.url,
                        check=cited.check, archive=cited.archive, source_date=cited.date,
                        citation=citation, citations=(citation,),
                    ))
            return out
        case Scope.CITATION:
            return [
                dataclasses.replace(base, citation=citation, citations=(citation,))
                for citation in doc.citations
                if any(i in base.sources for i in citation.ids)
            ]
        case _ as unreachable:
            assert_never(unreachable)


def _run(rule: Rule, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
    if Evidence.LINK_CHECK in rule.needs and rule.scope is Scope.LINK and ctx.check is None:
        reason = "offline: links were not checked" if ctx.offline else "the URL was not checked"
        yield rule.skip(ctx, reason)
        return
    yield from rule.run(ctx)


def _merge_skips(skips: list[RuleSkip]) -> list[RuleSkip]:
    groups: dict[tuple[str, str, str], list[str | None]] = {}
    for skip in skips:
        groups.setdefault((skip.document, skip.rule, skip.reason), []).append(skip.reference)
    merged = []
    for (document, rule, reason), refs in groups.items():
        ids = list(dict.fromkeys(r for r in refs if r))
        if len(ids) <= 1:
            merged.append(RuleSkip(rule, document, ids[0] if ids else None, reason))
        else:
            named = ", ".join(f"[{i}]" for i in ids)
            merged.append(RuleSkip(rule, document, None, f"{reason} ({named})"))
    return merged


def _fold_tree(
    documents: Sequence[Document],
    checks: Mapping[str, LinkCheck],
    active: Sequence[Rule],
    overrides: Mapping[str, Severity],
    findings: list[tuple[int, Finding]],
) -> list[tuple[int, Finding]]:
    """`findings` with the `dead` findings of local links folded into one `not-a-file-tree`
    finding, when that rule is on and most of the run's local targets are missing."""
    from linkaudit.rules.links import NotAFileTree

    rule = next((r for r in active if isinstance(r, NotAFileTree)), None)
    if rule is None:
        return findings
    verdict = judge_tree(documents, checks)
    if verdict is None or not verdict.wall:
        return findings
    first = next(i for i, d in enumerate(documents) if d.origin == verdict.first[0])
    folded = rule.summarize(verdict, documents[first])
    if folded.rule in overrides:
        folded = dataclasses.replace(folded, severity=overrides[folded.rule])
    kept = [
        (index, f) for index, f in findings
        if not (f.rule == "dead" and f.url is not None and target_of(f.url) is Target.LOCAL)
    ]
    return [*kept, (first, folded)]


def analyse(
    documents: Sequence[Document],
    checks: Mapping[str, LinkCheck],
    archives: Mapping[str, ArchiveLookup],
    rules: RulesConfig,
    links: LinksConfig,
    *,
    offline: bool = False,
    catalog: Sequence[Rule] | None = None,
    precomputed: Mapping[int, tuple[Sequence[Finding], Sequence[RuleSkip]]] | None = None,
    whole_run: bool = True,
) -> tuple[list[Finding], list[RuleSkip]]:
    """Every finding and skip of the enabled rules over `documents`.

    `checks` and `archives` are keyed by normalised URL (`Reference.url`, `Link.url`); a URL
    missing from `checks` was not checked (offline, or excluded); `offline` says no network was
    used (the rules that need it skip themselves). `rules` is the run's rules section (the
    switched-off rules, severities, dates), `links` its links section (which fragments are
    judged). `catalog` defaults to `ALL_RULES`. `precomputed` holds, by document index, what
    `analyse` already gave for that document alone (an audit analyses a document as soon as its
    links are in): it is taken as is, and ordered with the rest as if computed here. What only
    the whole run can tell (`not-a-file-tree`: most of the run's local targets are missing) is
    judged when `whole_run`, over `documents` and every finding; a document analysed on its own
    passes False.
    """
    from linkaudit.rules.catalog import ALL_RULES

    active = [r for r in (catalog if catalog is not None else ALL_RULES)
              if r.ident not in rules.disable_rules]
    overrides: dict[str, Severity] = {}
    for ident, text in rules.severity_overrides:
        try:
            overrides[ident] = Severity.parse(text)
        except ValueError:
            continue  # the config loader reports bad values; a bad one must not stop the run
    findings: list[tuple[int, Finding]] = []
    skips: list[RuleSkip] = []
    for index, doc in enumerate(documents):
        if precomputed is not None and index in precomputed:
            done_findings, done_skips = precomputed[index]
            findings.extend((index, f) for f in done_findings)
            skips.extend(done_skips)
            continue
        sources = {}
        for ref in doc.references:
            if not ref.url or ref.id in sources:
                continue
            check = checks.get(ref.url)
            lookup = archives.get(ref.url)
            date = source_published(ref.url, check, lookup)
            sources[ref.id] = SourceInfo(ref, check, lookup, date)
        base = RuleContext(
            document=doc, rules=rules, links=links, offline=offline,
            document_date=document_date(doc, rules), sources=sources,
        )
        doc_skips: list[RuleSkip] = []
        # Contexts are values: built once per scope and document, shared by its rules.
        contexts: dict[Scope, list[RuleContext]] = {}
        for rule in active:
            if rule.scope not in contexts:
                contexts[rule.scope] = _contexts(rule.scope, base, checks, archives)
            for ctx in contexts[rule.scope]:
                for result in _run(rule, ctx):
                    if isinstance(result, RuleSkip):
                        doc_skips.append(result)
                    else:
                        if result.rule in overrides:
                            result = dataclasses.replace(result, severity=overrides[result.rule])
                        findings.append((index, result))
        skips.extend(_merge_skips(doc_skips))
    clear_caches()  # the per-source caches serve one run; do not hold page texts after it
    if whole_run:
        findings = _fold_tree(documents, checks, active, overrides, findings)
    findings.sort(key=lambda item: (item[0], item[1].line or 0, item[1].rule, item[1].column or 0))
    return [f for _, f in findings], skips
