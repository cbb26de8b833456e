"""Link-health rules: one finding per reference (or other hyperlink) whose URL is not healthy.

Each works from the `LinkCheck` of the URL and, where it has one, the `ArchiveLookup`; the fix is
the archived copy closest before the document's date (dead, soft-404, unreachable) or the final
URL of the redirects (redirected, moved-offsite). `dead` and `dead-unarchived` never both fire:
`dead-unarchived` is said when the archive answered that it has no copy (or will not show one),
`dead` otherwise (with the copy as the fix, or saying the archive was not asked or did not know).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linkaudit.config import LinksConfig, RulesConfig
from linkaudit.local.tree import TreeVerdict
from linkaudit.model import (
    ArchiveLookup,
    ArchiveState,
    Document,
    Finding,
    LinkCheck,
    LinkStatus,
    RuleSkip,
    Severity,
    SnapshotKind,
)
from linkaudit.report._text import plural
from linkaudit.rules.interface import Evidence, Rule, RuleContext, Scope
from linkaudit.urls import invalid_url_reason, redact_url


def _who(ctx: RuleContext) -> str:
    """`[5] ` for a reference; for an inline link its URL, so every format names the link."""
    if ctx.reference is not None:
        return f"[{ctx.reference.id}] "
    return f"{redact_url(ctx.url)}: " if ctx.url else ""


def _is_web(check: LinkCheck) -> bool:
    """True for an http(s) URL (what the archive can hold), False for a local file."""
    return (check.checked_as or check.url).lower().startswith(("http://", "https://"))


def _why(check: LinkCheck) -> str:
    if check.error:
        return check.error
    return f"HTTP {check.http_status}" if check.http_status is not None else check.status.value


def check_evidence(check: LinkCheck) -> dict[str, Any]:
    """The check's facts as JSON-able evidence."""
    out: dict[str, Any] = {"url": check.url, "status": check.status.value}
    if check.http_status is not None:
        out["http_status"] = check.http_status
    if check.error:
        out["error"] = check.error
    if check.redirects:
        out["redirects"] = [{"status": h.status, "location": h.location} for h in check.redirects]
    if check.final_url:
        out["final_url"] = check.final_url
    return out


def archive_evidence(lookup: ArchiveLookup | None) -> dict[str, Any]:
    """The archive's answer as JSON-able evidence (state and every capture found)."""
    if lookup is None:
        return {"archive": ArchiveState.NOT_LOOKED_UP.value}
    out: dict[str, Any] = {"archive": lookup.state.value}
    if lookup.error:
        out["archive_error"] = lookup.error
    for snap in lookup.snapshots:
        key = snap.kind.value.replace("-", "_")
        out[f"snapshot_{key}"] = {"url": snap.url, "timestamp": snap.timestamp.isoformat()}
    return out


def _copy_phrase(lookup: ArchiveLookup | None) -> tuple[str, str | None]:
    snap = lookup.best if lookup is not None else None
    if snap is None:
        state = lookup.state if lookup is not None else ArchiveState.NOT_LOOKED_UP
        match state:
            case ArchiveState.NOT_ARCHIVED:
                return "the archive has never captured it", None
            case ArchiveState.EXCLUDED:
                return "the archive excludes it", None
            case ArchiveState.UNKNOWN:
                return "the archive gave no answer", None
            case ArchiveState.NOT_LOOKED_UP | ArchiveState.ARCHIVED:
                return f"no archived copy known (archive: {state.value})", None
    where = "before" if snap.kind is SnapshotKind.CLOSEST_BEFORE else "after"
    return (
        f"archived copy of {snap.timestamp.date().isoformat()} "
        f"(closest {where} the document's date)",
        snap.url,
    )


class _LinkRule(Rule):
    scope = Scope.LINK
    needs = frozenset({Evidence.LINK_CHECK})
    statuses: frozenset[LinkStatus] = frozenset()

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        check = ctx.check
        if check is None or check.status not in self.statuses:
            return
        finding = self.judge(ctx, check)
        if finding is not None:
            yield finding

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        """The finding for a check of one of `statuses`, or None."""
        raise NotImplementedError


class Dead(_LinkRule):
    """The source is gone: 404, 410, or its host name does not resolve.

    One finding per reference (at its entry in the list) or per other hyperlink. The fix is the
    archived copy closest before the document's date (else the closest after), the copy the
    author could have seen. When the archive says it has no copy, `dead-unarchived` is reported
    instead; when the archive was not asked (`--archive none`) or gave no answer, `dead` says so.
    Evidence: the HTTP status or error, the archive's answer and every capture found.
    """

    ident = "dead"
    summary = "the link is dead (404, 410, DNS name not found)"
    severity = Severity.ERROR
    needs = frozenset({Evidence.LINK_CHECK, Evidence.ARCHIVE})
    statuses = frozenset({LinkStatus.DEAD})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        if not _is_web(check):  # a local file: no archive to ask
            # `no such file: docs/x.md` names the link already, unless --remap changed it.
            who = _who(ctx) if ctx.reference is not None or check.checked_as else ""
            return self.finding(ctx, f"{who}{_why(check)}", evidence=check_evidence(check))
        if ctx.archive is not None and ctx.archive.state in (
            ArchiveState.NOT_ARCHIVED,
            ArchiveState.EXCLUDED,
        ):
            return None  # dead-unarchived says it
        phrase, fix = _copy_phrase(ctx.archive)
        return self.finding(
            ctx,
            f"{_who(ctx)}dead link ({_why(check)}); {phrase}",
            evidence=check_evidence(check) | archive_evidence(ctx.archive),
            fix=fix,
        )


class NotAFileTree(Rule):
    """Most relative links of the run name no file: the documents are not a file tree of their
    own links.

    A wiki whose pages link by page name (`[Mailbox](Mailbox)` for `Mailbox.md`, as GitHub's
    wikis, Gollum and a site generator's link hook read it), Markdown written for a built site's
    routes, or a tree whose files moved: every such link is `dead` as a path, and hundreds of
    thousands of `dead` findings are a wall no one reads. When at least 20 distinct local
    targets are missing, they are two thirds of all the run's local targets or more, and most
    of them read as page names or routes (no file extension: `Mailbox`, `tags/go/`), this one
    finding says so instead, at the first such link, with what would resolve them:
    `--fallback-extensions md` when the missing paths are there with a page's extension (how
    many, per extension), else `--base-url` or `--remap`. The `dead` findings of local links are
    folded into it by `analyse` once the whole run is in (each link's outcome stays in the JSON
    report's `links`); a few missing files among many found ones are each reported by `dead`.
    Switching this rule off brings them back one by one. Evidence: the counts, the extensions
    that would find the pages, a few of the missing targets.
    """

    ident = "not-a-file-tree"
    summary = "most relative links name no file: the documents are not a file tree of their links"
    severity = Severity.ERROR
    scope = Scope.DOCUMENT
    needs = frozenset({Evidence.LINK_CHECK})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        """Nothing per document: only the whole run tells (`summarize`, called by `analyse`)."""
        return iter(())

    def summarize(self, tree: TreeVerdict, document: Document) -> Finding:
        """The one finding of a run whose local links are not paths in its tree, at the first
        link to a missing target (in `document`)."""
        _origin, line, column = tree.first
        # (a context only to place the finding: it is about the run, not one of its links)
        ctx = RuleContext(document=document, rules=RulesConfig(), links=LinksConfig(),
                          offline=True, document_date=None)
        return self.finding(
            ctx,
            f"{tree.missing_links:,} links in {tree.documents:,} "
            f"{'document' if tree.documents == 1 else 'documents'} name "
            f"{tree.missing_targets:,} of the run's {tree.local_targets:,} local targets, which "
            f"are not files here: {tree.advice()}",
            line=line,
            column=column,
            evidence={
                "missing_links": tree.missing_links,
                "missing_targets": tree.missing_targets,
                "local_targets": tree.local_targets,
                "documents": tree.documents,
                "found_with_extension": dict(tree.by_extension),
                "examples": list(tree.examples),
            },
        )


class DeadUnarchived(_LinkRule):
    """Dead, and the archive has never captured the page (or excludes it): the source is lost.

    Said only when the archive's CDX index answered with no capture (or with a robots or site
    exclusion), never when the archive was unreachable or rate-limited. There is no fix to
    suggest: find another source for the claims that cite it.
    """

    ident = "dead-unarchived"
    summary = "the link is dead and no archived copy exists: the source is lost"
    severity = Severity.ERROR
    needs = frozenset({Evidence.LINK_CHECK, Evidence.ARCHIVE})
    statuses = frozenset({LinkStatus.DEAD})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        lookup = ctx.archive
        if lookup is None or lookup.state not in (
            ArchiveState.NOT_ARCHIVED,
            ArchiveState.EXCLUDED,
        ):
            return None
        why = (
            "the archive has never captured it"
            if lookup.state is ArchiveState.NOT_ARCHIVED
            else f"the archive excludes it ({lookup.error or 'robots or site exclusion'})"
        )
        return self.finding(
            ctx,
            f"{_who(ctx)}dead link ({_why(check)}) and {why}: the source is lost",
            evidence=check_evidence(check) | archive_evidence(lookup),
        )


class Soft404(_LinkRule):
    """The page answers, but it is not the page: a not-found page served with 200, or a redirect
    to the site's home, search or login page. The fix is the archived copy closest before the
    document's date.
    """

    ident = "soft-404"
    summary = "the page answers, but with not-found content or a redirect to the home page"
    severity = Severity.WARNING
    statuses = frozenset({LinkStatus.SOFT_404})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        phrase, fix = _copy_phrase(ctx.archive)
        return self.finding(
            ctx,
            f"{_who(ctx)}soft 404 ({check.error or 'not-found content'}); {phrase}",
            evidence=check_evidence(check) | archive_evidence(ctx.archive),
            fix=fix,
        )


class MovedOffsite(_LinkRule):
    """A permanent redirect to another registrable domain. The page may have moved, or the
    domain may have changed hands; check that the target is still the source. The fix is the
    final URL of the redirects; the evidence lists every hop.
    """

    ident = "moved-offsite"
    summary = "the link permanently redirects to another site"
    severity = Severity.WARNING
    statuses = frozenset({LinkStatus.MOVED_OFFSITE})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        target = check.final_url or (check.redirects[-1].location if check.redirects else None)
        return self.finding(
            ctx,
            f"{_who(ctx)}moved to another site: {target}; check that it is still the source",
            evidence=check_evidence(check),
            fix=target,
        )


class Redirected(_LinkRule):
    """A permanent redirect within the same registrable domain: the source is there, at a new
    address. The fix is the final URL of the redirects.
    """

    ident = "redirected"
    summary = "the link permanently redirects within the same site: update the URL"
    severity = Severity.INFO
    statuses = frozenset({LinkStatus.REDIRECTED})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        target = check.final_url or (check.redirects[-1].location if check.redirects else None)
        return self.finding(
            ctx,
            f"{_who(ctx)}redirects to {target}",
            evidence=check_evidence(check),
            fix=target,
        )


class Unreachable(_LinkRule):
    """No answer after retries: a timeout, a network error (refused, reset, TLS) or a 5xx.
    Maybe transient, not proven dead; the history of runs (`linkaudit report`) tells the two
    apart. The fix, when the archive has one, is the archived copy.
    """

    ident = "unreachable"
    summary = "the link could not be reached (timeout, network error, 5xx): maybe transient"
    severity = Severity.WARNING
    statuses = frozenset({LinkStatus.TIMEOUT, LinkStatus.NETWORK_ERROR, LinkStatus.SERVER_ERROR})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        phrase, fix = _copy_phrase(ctx.archive)
        return self.finding(
            ctx,
            f"{_who(ctx)}unreachable ({_why(check)}, {plural(check.attempts, 'attempt')}); "
            f"{phrase}",
            evidence=check_evidence(check)
            | {"attempts": check.attempts}
            | archive_evidence(ctx.archive),
            fix=fix,
        )


class Blocked(_LinkRule):
    """The site refused the checker (401, 403, 429 or a bot wall) after retries: the page could
    not be verified, which does not make it dead. The archive's answer is given with it (and its
    copy as the fix, when there is one).
    """

    ident = "blocked"
    summary = "the site refused the checker (401, 403, 429, bot wall): unverifiable, not dead"
    severity = Severity.WARNING
    statuses = frozenset({LinkStatus.BLOCKED})

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        phrase, fix = _copy_phrase(ctx.archive)
        return self.finding(
            ctx,
            f"{_who(ctx)}blocked ({_why(check)}): could not verify the page, which is not "
            f"dead; {phrase}",
            evidence=check_evidence(check) | archive_evidence(ctx.archive),
            fix=fix,
        )


class InvalidUrl(_LinkRule):
    """The URL cannot be followed as written: a space in it (`http://exa mple.com/x y`), a
    misspelt scheme (`htp:/x`, `hhttps://x`), `http:` without `//` or a host, a scheme other than
    http(s) (`ftp:`), or a redirect to one. A reader cannot follow it either.

    The written form is judged by `linkaudit.urls.invalid_url_reason`, a pure function, so the
    rule runs offline too (the pre-commit hook) and the checker sends no request for such a URL;
    with a check, a redirect to an unusable URL or a server's 400/414 counts as well.
    """

    ident = "invalid-url"
    summary = "the URL is malformed or not http(s): it cannot be checked or followed"
    severity = Severity.WARNING
    needs = frozenset({Evidence.DOCUMENT})
    statuses = frozenset({LinkStatus.INVALID})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        check = ctx.check
        if check is None:
            reason = invalid_url_reason(ctx.url) if ctx.url else None
            if reason is not None:
                yield self.finding(
                    ctx,
                    f"{_who(ctx)}cannot be checked: {reason}",
                    evidence={"url": ctx.url, "status": LinkStatus.INVALID.value, "error": reason},
                )
            return
        yield from super().run(ctx)

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:
        return self.finding(
            ctx,
            f"{_who(ctx)}cannot be checked: {_why(check)}",
            evidence=check_evidence(check),
        )


class Unarchived(_LinkRule):
    """The source is alive but the archive has never captured it: if it disappears, it is lost.

    Needs `--archive all` (the default `--archive dead` does not look up live links; the rule
    then skips itself, saying so). `--save-unarchived` asks Save Page Now to capture such pages.
    """

    ident = "unarchived"
    summary = "the source is alive but never archived: it is at risk"
    severity = Severity.INFO
    needs = frozenset({Evidence.LINK_CHECK, Evidence.ARCHIVE})
    statuses = frozenset({LinkStatus.ALIVE, LinkStatus.REDIRECTED, LinkStatus.MOVED_OFFSITE})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        check = ctx.check
        if check is None or check.status not in self.statuses or not _is_web(check):
            return
        lookup = ctx.archive
        if lookup is None or lookup.state is ArchiveState.NOT_LOOKED_UP:
            yield self.skip(ctx, "live links were not looked up in the archive (--archive all)")
            return
        if lookup.state is ArchiveState.UNKNOWN:
            yield self.skip(ctx, f"the archive gave no answer ({lookup.error or 'unknown'})")
            return
        if lookup.state is ArchiveState.NOT_ARCHIVED:
            yield self.finding(
                ctx,
                f"{_who(ctx)}alive but never archived: save a copy (--save-unarchived)",
                evidence=check_evidence(check) | archive_evidence(lookup),
            )

    def judge(self, ctx: RuleContext, check: LinkCheck) -> Finding | None:  # pragma: no cover
        return None
