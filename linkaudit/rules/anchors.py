"""The `missing-anchor` rule: a link's `#fragment` names no anchor of its target.

It judges a fragment only against anchors that were read (`LinkCheck.anchors`): local Markdown and
HTML files always (unless `--check-fragments none`), remote HTML pages with `--check-fragments all`.
A link whose file is missing is `dead`, not this. Always fine, as browsers and GitHub treat them:
an empty fragment and `#top` (the top of the page), a text fragment (`#:~:text=`), GitHub's
`user-content-` prefix, line anchors (`#L10-L20`) of a file shown as code (`?plain=1`, or any
github.com page). A Markdown target matches case-insensitively (GitHub and lychee both do); an HTML
page matches exactly, as a browser does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from linkaudit.config import FragmentMode
from linkaudit.local.resolve import Target, fragment_of, target_of
from linkaudit.model import Finding, LinkCheck, RuleSkip, Severity
from linkaudit.rules.interface import Evidence, Rule, RuleContext, Scope

_LINE_ANCHOR = re.compile(r"L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?")
_USER_CONTENT = "user-content-"


def anchor_found(fragment: str, anchors: frozenset[str], *, ignore_case: bool) -> bool:
    """True when `fragment` (decoded) names one of `anchors`, by the rules of the module doc."""
    fragment = fragment.partition(":~:")[0]  # a text fragment's directive is not an anchor
    if not fragment or fragment.lower() == "top":
        return True
    candidates = {fragment}
    if fragment.startswith(_USER_CONTENT):
        candidates.add(fragment[len(_USER_CONTENT):])
    else:
        candidates.add(_USER_CONTENT + fragment)
    if candidates & anchors:
        return True
    if ignore_case:
        lowered = {c.lower() for c in candidates}
        return any(a.lower() in lowered for a in anchors)
    return False


def _free(fragment: str, written: str, check: LinkCheck) -> bool:
    """Fragments no page needs to declare: GitHub's line anchors of a file shown as code."""
    if not _LINE_ANCHOR.fullmatch(fragment):
        return False
    query = written.partition("#")[0].partition("?")[2]
    return "plain=1" in query or "github.com" in (check.final_url or check.url)


class MissingAnchor(Rule):
    """The link's `#fragment` names no anchor of its target: no heading with that GitHub slug,
    no element with that `id`, no `<a name>`. The reader lands at the top of the page instead.

    Reported at the link's own line and column; the link's status stays that of its file (a
    missing file is `dead`). Local Markdown and HTML files are always judged; remote HTML pages
    only with `--check-fragments all` (as lychee's `--include-fragments`). The evidence names the
    closest anchor the target has, when one is close.
    """

    ident = "missing-anchor"
    summary = "the link's #fragment names no heading or anchor of its target"
    severity = Severity.WARNING
    scope = Scope.LINK
    needs = frozenset({Evidence.ANCHORS})

    def run(self, ctx: RuleContext) -> Iterator[Finding | RuleSkip]:
        if ctx.links.check_fragments is FragmentMode.NONE:
            return
        if ctx.link is not None:
            written = ctx.link.url_as_written
        elif ctx.reference is not None:
            written = ctx.reference.url_as_written or ""
        else:
            return
        fragment = fragment_of(written)
        check = ctx.check
        if fragment is None or check is None or not check.status.is_ok:
            return
        if check.anchors is None:
            if (
                target_of(check.checked_as or check.url) is Target.WEB
                and ctx.links.check_fragments is FragmentMode.ALL
                and (check.content_type or "").endswith("html")
            ):
                yield self.skip(ctx, f"#{fragment}: the page was too large to read every anchor")
            return
        if _free(fragment, written, check):
            return
        markdown = check.content_type in ("text/markdown", "inode/directory")
        github = "github.com" in (check.final_url or check.url)
        if anchor_found(fragment, check.anchors, ignore_case=markdown or github):
            return
        target = (check.checked_as or check.url).partition("#")[0]
        where = " in this document" if written.startswith("#") else ""
        close = difflib.get_close_matches(fragment, sorted(check.anchors), n=1, cutoff=0.6)
        hint = f" (did you mean #{close[0]}?)" if close else ""
        evidence: dict[str, object] = {"fragment": fragment, "target": target,
                                       "anchors": len(check.anchors)}
        if close:
            evidence["closest"] = close[0]
        yield self.finding(
            ctx,
            f"{target}#{fragment}: no heading or anchor of that name{where}{hint}",
            evidence=evidence,
        )
