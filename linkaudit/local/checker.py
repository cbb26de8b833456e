"""Checking what needs no network, and sending the rest to the network checker.

`plan_checks` sorts a run's distinct URLs: a local file or folder is checked here (`LocalChecker`:
alive when it exists, `dead` with `no such file: docs/releases.md` when not, `skipped` when it
leaves the inputs' root, through `..` or a symbolic link), a `mailto:` address has its syntax
checked and is never sent (`invalid` when malformed), any other scheme (`tel:`, `ftp:`,
`javascript:`) is `skipped` with the reason, and only http(s) URLs go to the network, each after
`--remap`. A URL that cannot be a working link as written (`linkaudit.urls.invalid_url_reason`:
a misspelt scheme, a space in it, and for a cited source any scheme but http(s)) is `invalid`
here, online and offline alike, and never sent. With `--no-images`, a URL used only as an image
is skipped, said so; offline, a web link is skipped, said so. All of it runs with `--offline`
too, since none of it needs a socket.

For a link with a `#fragment`, the target's anchors are read (once per file, `anchors_of`) and
kept on its `LinkCheck`, so the `missing-anchor` rule can judge the fragment; a remote page's
anchors are read by the network checker when `--check-fragments all` asks for them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import mimetypes
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkaudit.config import FragmentMode, LinksConfig, NetworkConfig
from linkaudit.local.anchors import anchors_of
from linkaudit.local.remap import apply_remaps, parse_remaps
from linkaudit.local.resolve import (
    PAGE_EXTENSIONS,
    LocalTarget,
    Resolver,
    Target,
    fragment_of,
    has_file_extension,
    inside,
    scheme_of,
    target_of,
)
from linkaudit.model import Document, LinkCheck, LinkKind, LinkStatus, ProblemKind
from linkaudit.urls import invalid_url_reason, normalize_url

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdx"})
"""Files whose anchors are GitHub heading slugs."""
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
"""Files whose anchors are ids and names."""
FOLDER_PAGES = ("index.html", "index.htm", "README.md", "readme.md", "index.md")
"""The page a folder link shows (a built site's index, GitHub's README), for its anchors."""
MAX_ANCHOR_FILE_BYTES = 16 * 1024 * 1024
"""A larger file is not read for anchors (its fragments are not judged)."""
_MAILBOX = re.compile(
    r"[^\s@<>()\[\]\\,;:\"]+@(?:[^\s@<>()\[\]\\,;:\"./]+\.)+[^\s@<>()\[\]\\,;:\"./]{2,}"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def check_mailto(url: str) -> LinkCheck:
    """A `mailto:` link: `invalid` when an address is malformed, else `skipped` (never sent)."""
    try:
        addresses = unquote(urlsplit(url).path)
    except ValueError:
        return LinkCheck(url, LinkStatus.INVALID, error="malformed mailto: link", checked_at=_now())
    for address in (a.strip() for a in addresses.split(",")):
        if address and not _MAILBOX.fullmatch(address):
            return LinkCheck(url, LinkStatus.INVALID, error=f"malformed mail address {address!r}",
                             checked_at=_now())
    return LinkCheck(url, LinkStatus.SKIPPED, error="well-formed mail link, never contacted",
                     checked_at=_now())


def parse_extensions(values: Iterable[str]) -> tuple[str, ...]:
    """`--fallback-extensions` values (`md,html`, `.md`, repeated) as extensions without the
    dot, in order, each once; `ValueError` naming a value that is no extension."""
    found: list[str] = []
    for value in values:
        for piece in value.split(","):
            ext = piece.strip().lstrip(".")
            if not ext:
                continue
            if not re.fullmatch(r"[A-Za-z0-9_+-]{1,16}", ext):
                raise ValueError(f"{piece.strip()!r} is not a file extension (write md,html)")
            if ext not in found:
                found.append(ext)
    return tuple(found)


def skipped(url: str, reason: str) -> LinkCheck:
    """A link that is not checked, and why."""
    return LinkCheck(url, LinkStatus.SKIPPED, error=reason, checked_at=_now())


class LocalChecker:
    """Checks local targets; each file's anchors are read at most once per run."""

    def __init__(
        self, documents: Sequence[Document], cwd: Path, fallback: Sequence[str] = ()
    ) -> None:
        self._cwd = cwd
        self._fallback = tuple(fallback)
        self._documents: dict[Path, Document] = {}
        self._by_origin: dict[str, Document] = {}
        for doc in documents:
            self._by_origin[doc.origin] = doc
            if "://" not in doc.origin and doc.origin != "-":
                self._documents[Path(os.path.normpath(cwd / doc.origin))] = doc
        self._anchors: dict[Path, tuple[frozenset[str] | None, str | None]] = {}
        self._real: dict[Path, Path] = {}

    def check(self, target: LocalTarget, url: str, *, anchors: bool) -> LinkCheck:
        """The outcome for `url` (a link's URL) whose target is `target`."""
        if target.path is None:  # a fragment of standard input
            doc = self._by_origin.get(target.origin)
            own = doc.anchors if doc is not None and anchors else None
            kind = "text/html" if doc is not None and doc.format.value == "html" else (
                "text/markdown")
            return LinkCheck(url, LinkStatus.ALIVE, content_type=kind, anchors=own,
                             checked_at=_now())
        if target.outside:
            return skipped(url, "outside the inputs' root, not opened")  # (the URL names it)
        if target.template:
            return skipped(url, "in a site template: it resolves against each page the template "
                           "renders, not against the template's folder")
        # Where a symbolic link leads is decided before anything is asked of the file system
        # about the target, so nothing outside the root is even looked at.
        real = Path(os.path.realpath(target.path))
        if not any(inside(real, self._realpath(b)) for b in target.bounds):
            return skipped(url, "outside the inputs' root (through a symbolic link), not opened")
        try:
            info = target.path.stat()
        except FileNotFoundError:
            return self._missing(target, url, anchors=anchors)
        except NotADirectoryError:
            return LinkCheck(url, LinkStatus.DEAD, error=f"no such file: {target.display} "
                             "(a file stands where a folder is named)", checked_at=_now())
        except OSError as exc:
            return skipped(url, f"cannot read {target.display}: {exc.strerror or exc}")
        is_dir = stat.S_ISDIR(info.st_mode)
        if target.folder and not is_dir:
            return LinkCheck(url, LinkStatus.DEAD, error=f"not a folder: {target.display}",
                             checked_at=_now())
        content_type = "inode/directory" if is_dir else _content_type(target.path)
        found: frozenset[str] | None = None
        if anchors:
            found, page_type = self._anchors_of(target.path, is_dir)
            content_type = page_type or content_type
        return LinkCheck(url, LinkStatus.ALIVE, content_type=content_type, anchors=found,
                         checked_at=_now())

    def _missing(self, target: LocalTarget, url: str, *, anchors: bool) -> LinkCheck:
        """A missing file: found under a `--fallback-extensions` extension (alive, `checked_as`
        naming the file), else dead, saying which page's extension would find it, if one does
        (`PAGE_EXTENSIONS`, the linking document's own first)."""
        assert target.path is not None
        for ext in self._fallback:
            page = self._with_extension(target, ext)
            if page is not None:
                found = self.check(page, url, anchors=anchors)
                return dataclasses.replace(found, checked_as=page.display)
        error = f"no such file: {target.display}"
        if target.folder or has_file_extension(target.path.name):
            return LinkCheck(url, LinkStatus.DEAD, error=error, checked_at=_now())
        origin = Path(target.origin).suffix.lstrip(".").lower()
        for ext in dict.fromkeys((origin, *PAGE_EXTENSIONS) if origin else PAGE_EXTENSIONS):
            page = self._with_extension(target, ext)
            if page is not None:
                hint = f"{error} ({page.display} is there: a page-name link?)"
                return LinkCheck(url, LinkStatus.DEAD, error=hint, checked_at=_now(),
                                 with_extension=page.display)
        return LinkCheck(url, LinkStatus.DEAD, error=error, checked_at=_now())

    def _with_extension(self, target: LocalTarget, ext: str) -> LocalTarget | None:
        """`target` with `.ext` added, when that file is there (inside the root)."""
        assert target.path is not None
        path = target.path.with_name(f"{target.path.name}.{ext}")
        if not path.is_file():
            return None
        display = f"{target.display}.{ext}"
        return dataclasses.replace(target, path=path, display=display, folder=False)

    def _realpath(self, folder: Path) -> Path:
        if folder not in self._real:
            self._real[folder] = Path(os.path.realpath(folder))
        return self._real[folder]

    def _anchors_of(self, path: Path, is_dir: bool) -> tuple[frozenset[str] | None, str | None]:
        """The anchors of a file (or a folder's index page) and that page's type; None when it
        is not Markdown or HTML, or cannot be read."""
        if is_dir:
            for name in FOLDER_PAGES:
                page = path / name
                if page.is_file():
                    return self._anchors_of(page, False)
            return None, None
        if path in self._anchors:
            return self._anchors[path]
        suffix = path.suffix.lower()
        result: tuple[frozenset[str] | None, str | None] = (None, None)
        if suffix in MARKDOWN_SUFFIXES or suffix in HTML_SUFFIXES:
            markdown = suffix in MARKDOWN_SUFFIXES
            kind = "text/markdown" if markdown else "text/html"
            doc = self._documents.get(path)
            if doc is not None and doc.anchors is not None:  # read by extraction already
                result = (doc.anchors, kind)
            else:
                text = _read_text(path)
                if text is not None:
                    result = (anchors_of(text, markdown), kind)
        self._anchors[path] = result
        return result


def _content_type(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "text/markdown"
    return mimetypes.guess_type(path.name)[0]


def _read_text(path: Path) -> str | None:
    """A file's decoded text, or None when it is too large, binary or unreadable."""
    from linkaudit.inputs import decode

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ANCHOR_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_ANCHOR_FILE_BYTES:
        return None
    text, problem = decode(data, str(path))
    if problem is not None and problem.kind is ProblemKind.BINARY:
        return None
    return text


@dataclass
class CheckPlan:
    """A run's URLs sorted: what is already decided here, and what the network must check."""

    ready: dict[str, LinkCheck] = field(default_factory=dict)
    """Outcomes decided without the network (local files, mail, other schemes, skips)."""
    web: list[str] = field(default_factory=list)
    """http(s) URLs for the network checker (after `--remap`), each once."""
    anchors_for: set[str] = field(default_factory=set)
    """Normalised web URLs whose page anchors are wanted (`--check-fragments all`)."""
    sources: dict[str, list[str]] = field(default_factory=dict)
    """Each URL in `web` -> the run's URLs it is checked for (more than one after `--remap`)."""

    def restore(self, check: LinkCheck) -> list[LinkCheck]:
        """The network's outcome for a URL of `web`, as the outcome of each URL it stands for."""
        return [
            check if url == check.url else dataclasses.replace(check, url=url,
                                                               checked_as=check.url)
            for url in self.sources.get(check.url, [check.url])
        ]


def _occurrences(documents: Iterable[Document]) -> tuple[set[str], set[str], set[str]]:
    """URLs of references, URLs used only as images, and URLs asked with a `#fragment`."""
    references: set[str] = set()
    images: set[str] = set()
    links: set[str] = set()
    fragments: set[str] = set()
    for doc in documents:
        for ref in doc.references:
            if ref.url:
                references.add(ref.url)
                if fragment_of(ref.url_as_written):
                    fragments.add(ref.url)
        for link in doc.links:
            (images if link.kind is LinkKind.IMAGE else links).add(link.url)
            if fragment_of(link.url_as_written):
                fragments.add(link.url)
    return references, images - links - references, fragments


def plan_checks(
    urls: Sequence[str],
    documents: Sequence[Document],
    targets: Mapping[str, LocalTarget],
    resolver: Resolver,
    links: LinksConfig,
    network: NetworkConfig,
) -> CheckPlan:
    """Sort `urls` (the run's distinct URLs) and check what needs no network; see the module.

    Reads the run's `links` section (remaps, images, fallback extensions, fragments) and its
    `network` section (`--include`/`--exclude`, offline)."""
    from linkaudit.check.checker import filter_reason

    plan = CheckPlan()
    remaps = parse_remaps(links.remap)
    include = [re.compile(p) for p in network.include]
    exclude = [re.compile(p) for p in network.exclude]
    references, only_images, fragments = _occurrences(documents)
    local = LocalChecker(documents, resolver.cwd, links.fallback_extensions)
    want_anchors = links.check_fragments is not FragmentMode.NONE
    for url in urls:
        if not links.images and url in only_images:
            plan.ready[url] = skipped(url, "image, not checked (--no-images)")
            continue
        remapped = apply_remaps(url, remaps)
        address = remapped if remapped is not None else url
        malformed = invalid_url_reason(address, other_schemes=url in references)
        if malformed is not None:  # `htp:/x`, a space in it, an `ftp:` source: never sent
            plan.ready[url] = LinkCheck(url, LinkStatus.INVALID, error=malformed, checked_at=_now())
            continue
        kind = target_of(address)
        result: LinkCheck | None = None
        reason = filter_reason(url, include, exclude) if kind is not Target.WEB else None
        if reason is not None:  # (the network checker filters web URLs itself)
            plan.ready[url] = skipped(url, reason)
            continue
        if kind is Target.WEB:
            if network.offline:
                if url not in references:  # a reference keeps "not checked" for its rules
                    plan.ready[url] = skipped(url, "offline: not checked")
                continue
            if address not in plan.sources:
                plan.web.append(address)
            plan.sources.setdefault(address, []).append(url)
            if url in fragments and links.check_fragments is FragmentMode.ALL:
                plan.anchors_for.add(normalize_url(address))
            continue
        if kind is Target.LOCAL:
            original = targets.get(url)
            if remapped is None and original is not None:
                target = original
            else:
                target = resolver.remapped(address, original.bounds if original else ())
            result = local.check(target, url, anchors=want_anchors and url in fragments)
        elif kind is Target.MAIL:
            result = check_mailto(address)
        else:
            scheme = scheme_of(address)
            result = skipped(url, f"{scheme}: links are not checked")
        if remapped is not None:
            result = dataclasses.replace(result, url=url, checked_as=address)
        plan.ready[url] = dataclasses.replace(result, url=url)
    return plan
