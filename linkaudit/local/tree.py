"""Whether a run's documents are a file tree of their own links, judged from the local checks.

A repository whose relative links mostly name no file is not laid out the way its links assume:
a wiki whose pages link by page name (`[Mailbox](Mailbox)` for `Mailbox.md`, which GitHub's
wikis, Gollum and a site generator's link hook resolve), Markdown written for a built site's
routes, or a tree whose files moved. Every such link is `dead` by lychee's definition, and a
report of 600,000 of them is a wall no one reads. When most of the run's distinct local targets
are missing (`wall`: at least `MIN_MISSING` of them, two thirds of all, most of them page names
or routes rather than file names), the run says so once, with
what would resolve them (`--fallback-extensions md` when the missing paths are there with a
page's extension; else `--base-url`, `--remap`), and the links are folded into that one finding;
each link's outcome stays in the JSON report. A few broken links among many good ones are each
reported, as ever.

Pure: it reads the documents' links and their `LinkCheck`s, never the file system (the local
checker already probed each missing path for a page extension: `LinkCheck.with_extension`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from linkaudit.local.resolve import Target, has_file_extension, target_of
from linkaudit.model import Document, LinkCheck, LinkStatus

MIN_MISSING = 20
"""Fewer missing targets than this are reported one by one, whatever their share."""
EXAMPLES = 5
"""Missing targets named in the finding."""


@dataclass(frozen=True, slots=True)
class TreeVerdict:
    """What the run's local links say about the tree they live in."""

    local_targets: int
    """Distinct local targets checked (found or missing)."""
    missing_targets: int
    """Distinct local targets that name no file."""
    missing_links: int
    """Links (occurrences) to a missing target."""
    named_files: int
    """Missing targets whose name ends in a file type's extension (`guide.md`, `logo.png`):
    links to files, where the others read as page names or routes (`Mailbox`, `tags/go/`)."""
    documents: int
    """Documents holding such a link."""
    by_extension: tuple[tuple[str, int], ...]
    """Missing targets that are there with a page's extension added, per extension, most first."""
    examples: tuple[str, ...]
    """A few missing targets as the checker named them (`content/Mailbox (content/Mailbox.md is
    there ...)`)."""
    first: tuple[str, int, int]
    """The document, line and column of the first link to a missing target."""

    @property
    def wall(self) -> bool:
        """True when at least two thirds of the local targets are missing and most of those
        read as page names or routes, not file names: the links are not paths in this tree.
        Missing files named with their extension (`AutoplotUtil.md` in the wrong folder) are
        broken links, each reported; so are the broken links of a tree whose other links work."""
        return (
            self.missing_targets >= MIN_MISSING
            and 3 * self.missing_targets >= 2 * self.local_targets
            and 2 * self.named_files < self.missing_targets
        )

    def advice(self) -> str:
        """What would resolve the links, as the finding says it."""
        if self.by_extension and 2 * self.by_extension[0][1] >= self.missing_targets:
            ext, count = self.by_extension[0]
            return (
                f"{count:,} of them name a page without its .{ext} (a wiki's page-name links): "
                f"rerun with --fallback-extensions {ext} to check them as pages"
            )
        found = "".join(
            f"; {count:,} are there with .{ext} (--fallback-extensions {ext})"
            for ext, count in self.by_extension[:1]
        )
        return (
            "they read as a built site's routes or page names: check the site with --base-url "
            f"URL, or map them to files with --remap 'REGEX REPLACEMENT'{found}"
        )


def judge_tree(
    documents: Sequence[Document], checks: Mapping[str, LinkCheck]
) -> TreeVerdict | None:
    """The verdict on the run's local links, or None when it has no missing local target."""
    targets: dict[str, LinkCheck | None] = {}  # path -> its check when missing, else None
    links = 0
    holders: set[str] = set()
    first: tuple[str, int, int] | None = None
    for doc in documents:
        places = [(r.url, r.line, r.column) for r in doc.references if r.url]
        places += [(k.url, k.line, k.column) for k in doc.links]
        for url, line, column in places:
            check = checks.get(url)
            if check is None or target_of(url) is not Target.LOCAL:
                continue
            path = url.split("#", 1)[0]
            if check.status is LinkStatus.DEAD:
                targets[path] = check
                links += 1
                holders.add(doc.origin)
                if first is None:
                    first = (doc.origin, line, column)
            elif check.status.is_ok:
                targets.setdefault(path, None)
    missing = [c for c in targets.values() if c is not None]
    if first is None or not missing:
        return None
    extensions = Counter(
        PurePath(c.with_extension).suffix.lstrip(".") for c in missing if c.with_extension
    )
    files = sum(
        1 for path, check in targets.items()
        if check is not None and has_file_extension(PurePath(path.rstrip("/")).name)
    )
    return TreeVerdict(
        local_targets=len(targets),
        missing_targets=len(missing),
        missing_links=links,
        named_files=files,
        documents=len(holders),
        by_extension=tuple(extensions.most_common()),
        examples=tuple(c.error or c.url for c in missing[:EXAMPLES]),
        first=first,
    )
