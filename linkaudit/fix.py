"""`linkaudit fix`: plan and apply URL rewrites for dead, soft-404 and redirected references.

The fix is planned as data first (`FileFix`: the file's original bytes and a list of byte edits),
so that `--dry-run` (a unified diff) and `--write` show and do exactly the same thing.

What is rewritten is what the rules decided: the `fix` of each finding of `dead` or `soft-404`
(an archived copy: `ArchiveLookup.best`, the capture closest before the document's date) and,
with `update_redirects`, of `redirected` or `moved-offsite` (the final URL). A rule switched off,
a finding baselined or ignored (`<!-- linkaudit-ignore -->`) rewrites nothing, and a link the
rules said nothing about is left alone. A `dead` or `soft-404` finding without a copy, and a
`dead-unarchived` one, are skipped with the reason. Only where the reference list entry or the
inline link writes the URL (`Reference` and `Link` each carry `line`, `column` and
`url_as_written`; other occurrences of the URL are left alone), so a link in the body gets the
same archived copy `audit` suggests. `FixStyle.APPEND` (the default) keeps the original and
adds the archived link next to it in the form the format expects: Markdown ` [archived](u)` after
the link, text ` (archived: u)`, HTML ` (<a href="u">archived</a>)` after the anchor.
`FixStyle.REPLACE` puts the archived URL in place of the original.

Bytes are kept: the file is decoded only to find positions; the edits splice encoded bytes into
the original, so encoding, BOM, line endings and every other byte stay as they were. Writing
(`linkaudit.fixfiles`) is atomic (a temporary file in the same folder, then `os.replace`),
refuses a file that changed since it was planned, and refuses any path that resolves outside the
inputs (a symlink out of the tree).

A Markdown link reference definition (`[1]: https://...`) cannot carry a second link, so with
`append` it is skipped with a reason (use `--style replace`). Appending twice adds nothing: an
archived link already standing where it would go is recognised. A document whose body and list
appear twice (`duplicated_body`) gets the same edit on the identical line of the second list.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from html import escape  # not textsafe.html_text: an edit keeps the URL's bytes, shown or not
from pathlib import Path
from typing import assert_never

from linkaudit.extract.positions import LineIndex
from linkaudit.fixfiles import FixError, detect_encoding, write_fix
from linkaudit.model import AuditResult, DocFormat, Document, Finding, Link, Reference
from linkaudit.textsafe import md_url, visible


class FixStyle(StrEnum):
    """`--style`: how an archived copy is put into the document."""

    REPLACE = "replace"
    """The archived URL takes the original's place."""
    APPEND = "append"
    """The original stays; the archived link is added next to it."""


class FixKind(StrEnum):
    """Why an edit is made."""

    ARCHIVED = "archived"
    """A dead or soft-404 source gets its archived copy."""
    REDIRECT = "redirect"
    """A redirected or moved source gets its final URL."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One byte-level change of a file."""

    offset: int
    """Byte offset of `old` in the original file."""
    old: bytes
    """The bytes replaced (empty for an insertion)."""
    new: bytes
    """The bytes put in their place."""
    reference: str
    """The reference id it fixes (empty for an inline link)."""
    url: str
    """The reference's URL."""
    kind: FixKind
    """Why."""
    target: str
    """The archived copy or final URL used."""


@dataclass(frozen=True, slots=True)
class FixSkip:
    """A reference that needed a fix but did not get one, and why."""

    document: str
    """The document's origin."""
    reference: str
    """The reference id (empty for an inline link)."""
    url: str
    """Its URL."""
    reason: str
    """One line (`no archived copy (not-archived)`)."""


@dataclass(frozen=True, slots=True)
class FileFix:
    """The planned edits of one file."""

    path: Path
    """The file as named by the document's origin."""
    encoding: str
    """The codec it was decoded with (BOM excluded)."""
    bom: bytes
    """The byte-order mark it starts with, if any."""
    original: bytes = field(repr=False)
    """The file's bytes when planned."""
    edits: tuple[Edit, ...]
    """The edits, by offset; they never overlap."""

    def new_bytes(self) -> bytes:
        """The file's bytes with every edit applied."""
        out = bytearray(self.original)
        for edit in sorted(self.edits, key=lambda e: e.offset, reverse=True):
            end = edit.offset + len(edit.old)
            if bytes(out[edit.offset : end]) != edit.old:
                raise FixError(f"{self.path}: planned edit at byte {edit.offset} does not match")
            out[edit.offset : end] = edit.new
        return bytes(out)

    def diff(self) -> str:
        """A unified diff of the change, safe to print (control characters shown escaped)."""
        before = _display(self.original[len(self.bom) :].decode(self.encoding, "replace"))
        after = _display(self.new_bytes()[len(self.bom) :].decode(self.encoding, "replace"))
        name = _display(str(self.path))
        # git-style a/ b/ prefixes for a relative path; an absolute one is shown as it is.
        old, new = (name, name) if self.path.is_absolute() else (f"a/{name}", f"b/{name}")
        return "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=old,
                tofile=new,
            )
        )


@dataclass(frozen=True, slots=True)
class FixPlan:
    """Everything `linkaudit fix` would do."""

    files: tuple[FileFix, ...] = ()
    """Files with at least one edit."""
    skips: tuple[FixSkip, ...] = ()
    """References that needed a fix and did not get one."""

    @property
    def edit_count(self) -> int:
        """Edits over all files."""
        return sum(len(f.edits) for f in self.files)


def _display(text: str) -> str:
    """Drop CR of CRLF (a diff line is a line) and show other control and bidi characters
    escaped (`linkaudit.textsafe.visible`)."""
    return visible(text.replace("\r\n", "\n"), keep_newlines=True)


_NEWLINE = re.compile(r"\r\n|\r|\n")
_MD_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*<?$")


def _format_url(fmt: DocFormat, url: str) -> str:
    match fmt:
        case DocFormat.MARKDOWN:
            return md_url(url)
        case DocFormat.HTML:
            return escape(url, quote=True)
        case DocFormat.TEXT:
            return url
        case _ as unreachable:
            assert_never(unreachable)


def _append_point(fmt: DocFormat, text: str, pos: int, end: int) -> int | None:
    """Where an appended archived link goes: after the link construct holding the URL."""
    before = text[max(0, pos - 2) : pos]
    line_end = _NEWLINE.search(text, end)
    stop = line_end.start() if line_end else len(text)
    match fmt:
        case DocFormat.MARKDOWN:
            if before.endswith("]("):
                close = text.find(")", end, stop)
                return close + 1 if close >= 0 else None
            if before.endswith("<") and text.startswith(">", end):
                return end + 1
            return end
        case DocFormat.HTML:
            if before.endswith(('="', "='", "=")):
                low = text.lower()
                close = low.find("</a>", end)
                nxt = low.find("<a", end)
                if close < 0 or (0 <= nxt < close):
                    return None
                return close + 4
            return end
        case DocFormat.TEXT:
            return end
        case _ as unreachable:
            assert_never(unreachable)


def _addition(fmt: DocFormat, target: str) -> str:
    match fmt:
        case DocFormat.MARKDOWN:
            return f" [archived]({md_url(target)})"
        case DocFormat.HTML:
            return f' (<a href="{escape(target, quote=True)}">archived</a>)'
        case DocFormat.TEXT:
            return f" (archived: {target})"
        case _ as unreachable:
            assert_never(unreachable)


# What `_addition` writes before the URL: an archived link standing at the append point,
# whatever its URL's spelling (an older snapshot, an older run's escaping), means the reference
# was fixed by an earlier run, and a second archived link is never added.
_ARCHIVED_LEAD = {
    DocFormat.MARKDOWN: re.compile(r" \[archived\]\("),
    DocFormat.HTML: re.compile(r""" \(<a href=["'][^"']*["']>archived</a>\)""", re.IGNORECASE),
    DocFormat.TEXT: re.compile(r" \(archived: \S"),
}


def _already_archived(fmt: DocFormat, text: str, at: int) -> bool:
    return _ARCHIVED_LEAD[fmt].match(text, at) is not None


FIX_RULES: dict[str, FixKind] = {
    "dead": FixKind.ARCHIVED,
    "soft-404": FixKind.ARCHIVED,
    "redirected": FixKind.REDIRECT,
    "moved-offsite": FixKind.REDIRECT,
}
"""The rules whose findings' `fix` is applied, and what kind of edit it makes."""
LOST_RULES = frozenset({"dead-unarchived"})
"""Rules that say a fix was needed and none exists (skipped with the reason)."""

_Key = tuple[str, str, str, int, int]


def _key(document: str, reference: str | None, url: str | None, line: int | None,
         column: int | None) -> _Key:
    """A reference is named by its id and URL; an inline link by its URL and position."""
    if reference:
        return document, reference, url or "", 0, 0
    return document, "", url or "", line or 0, column or 0


def _target_key(doc: Document, target: Reference | Link) -> _Key:
    if isinstance(target, Reference):
        return _key(doc.origin, target.id, target.url, None, None)
    return _key(doc.origin, None, target.url, target.line, target.column)


def wanted_fixes(result: AuditResult) -> dict[_Key, Finding]:
    """The findings that ask for a fix (or say none exists), by the link they are about."""
    wanted: dict[_Key, Finding] = {}
    for finding in result.findings:
        if finding.rule in FIX_RULES or finding.rule in LOST_RULES:
            key = _key(finding.document, finding.reference, finding.url, finding.line,
                       finding.column)
            wanted.setdefault(key, finding)
    return wanted


def _ident(target: Reference | Link) -> str:
    """A reference's id; an inline link has none (`""`) and is named by its URL instead."""
    return target.id if isinstance(target, Reference) else ""


def plan_document(
    doc: Document,
    data: bytes,
    result: AuditResult,
    *,
    style: FixStyle = FixStyle.APPEND,
    update_redirects: bool = False,
    path: Path | None = None,
    wanted: dict[_Key, Finding] | None = None,
) -> tuple[FileFix | None, list[FixSkip]]:
    """Plan the edits of one document whose file holds `data` (pure: no I/O), from the
    findings of `result` (`wanted`: `wanted_fixes(result)`, computed once by `plan_fixes`)."""
    if wanted is None:
        wanted = wanted_fixes(result)
    codec, bom = detect_encoding(data)
    text = data[len(bom) :].decode(codec)
    index = LineIndex(text)  # the lines extraction counted (Reference.line)
    starts = index.starts
    edits: dict[int, Edit] = {}
    skips: list[FixSkip] = []

    def skip(ref: Reference | Link, reason: str) -> None:
        skips.append(FixSkip(doc.origin, _ident(ref), ref.url or "", reason))

    def offset(char_pos: int) -> int:
        return len(bom) + len(text[:char_pos].encode(codec))

    targets: list[Reference | Link] = [*doc.references, *doc.links]
    for ref in targets:
        if not ref.url or not ref.url_as_written:
            continue
        finding = wanted.get(_target_key(doc, ref))
        if finding is None:
            continue  # the rules asked for nothing here (or were switched off, or baselined)
        kind = FIX_RULES.get(finding.rule, FixKind.ARCHIVED)
        if kind is FixKind.REDIRECT and not update_redirects:
            continue
        if finding.fix is None:
            if kind is FixKind.ARCHIVED:
                check = result.checks.get(ref.url)
                status = check.status.value if check else finding.rule
                lookup = result.archives.get(ref.url)
                state = lookup.state.value if lookup else "not looked up"
                skip(ref, f"{status}, and no archived copy ({state})")
            continue
        target = finding.fix
        written = ref.url_as_written
        pos = index.find_near(text, written, ref.line, ref.column)
        if pos is None and doc.format is DocFormat.HTML:
            # The extractor may give the attribute value decoded (`&` for `&amp;`).
            written = escape(written, quote=False)
            pos = index.find_near(text, written, ref.line, ref.column)
        if pos is None:
            seen = "the reference list has it" if isinstance(ref, Reference) else "it was found"
            skip(ref, f"the URL is not where {seen} (line {ref.line})")
            continue
        end = pos + len(written)
        if kind is FixKind.REDIRECT or style is FixStyle.REPLACE:
            new_text = _format_url(doc.format, target)
            if new_text == written:
                continue
            start, old, new = pos, written, new_text
        else:
            line_start = starts[bisect.bisect_right(starts, pos) - 1]
            if doc.format is DocFormat.MARKDOWN and _MD_DEFINITION.match(text[line_start:pos]):
                skip(ref, "a link reference definition cannot carry a second link; use replace")
                continue
            at = _append_point(doc.format, text, pos, end)
            if at is None:
                skip(ref, "cannot find the end of the link that holds the URL")
                continue
            addition = _addition(doc.format, target)
            if _already_archived(doc.format, text, at):
                continue  # already fixed by an earlier run (with this copy or another)
            start, old, new = at, "", addition
        try:
            edit = Edit(
                offset(start), old.encode(codec), new.encode(codec), _ident(ref), ref.url, kind,
                target,
            )
        except UnicodeEncodeError:
            skip(ref, f"the new URL cannot be written in the file's encoding ({codec})")
            continue
        for candidate in (edit, *_copies(doc, text, starts, start, edit, offset)):
            if any(_overlaps(candidate, e) for e in edits.values()):
                continue  # the same URL written once for two entries: one edit is enough
            edits[candidate.offset] = candidate
    if not edits:
        return None, skips
    ordered = tuple(edits[k] for k in sorted(edits))
    return FileFix(path or Path(doc.origin), codec, bom, data, ordered), skips


def _copies(
    doc: Document,
    text: str,
    starts: list[int],
    at: int,
    edit: Edit,
    offset: Callable[[int], int],
) -> list[Edit]:
    """The same edit on the identical lines of a duplicated reference list.

    Pages that repeat their body (`Document.duplicated_body`) repeat the list too, and the
    extractor reports each reference once; a copy left unfixed would keep the dead link.
    Only lines identical to the entry's line get it, at the same column.
    """
    if not doc.duplicated_body:
        return []
    n = bisect.bisect_right(starts, at) - 1
    ends = [*starts[1:], len(text)]
    line = text[starts[n] : ends[n]].rstrip("\r\n")
    column = at - starts[n]
    copies = []
    for m in range(len(starts)):
        if m != n and text[starts[m] : ends[m]].rstrip("\r\n") == line:
            pos = starts[m] + column
            copies.append(dataclasses.replace(edit, offset=offset(pos)))
    return copies


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.offset == b.offset:
        return True
    a_end, b_end = a.offset + len(a.old), b.offset + len(b.old)
    return a.offset < b_end and b.offset < a_end


def is_local(origin: str) -> bool:
    """True when a document origin names a local file (not stdin, not a URL)."""
    return origin != "-" and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", origin)


def plan_fixes(
    result: AuditResult, *, style: FixStyle = FixStyle.APPEND, update_redirects: bool = False
) -> FixPlan:
    """Plan the fixes of every local document of `result` (reads the files, writes nothing)."""
    files: list[FileFix] = []
    skips: list[FixSkip] = []
    wanted = wanted_fixes(result)
    for doc in result.documents:
        if not is_local(doc.origin):
            continue
        try:
            data = Path(doc.origin).read_bytes()
        except OSError as exc:
            skips.append(FixSkip(doc.origin, "", "", f"cannot read: {exc.strerror or exc}"))
            continue
        try:
            planned, doc_skips = plan_document(
                doc, data, result, style=style, update_redirects=update_redirects, wanted=wanted
            )
        except UnicodeDecodeError as exc:
            skips.append(FixSkip(doc.origin, "", "", f"cannot decode: {exc.reason}"))
            continue
        skips += doc_skips
        if planned is not None:
            files.append(planned)
    return FixPlan(tuple(files), tuple(skips))


__all__ = [
    "Edit", "FileFix", "FixError", "FixKind", "FixPlan", "FixSkip", "FixStyle", "detect_encoding",
    "is_local", "plan_document", "plan_fixes", "wanted_fixes", "write_fix",
]
