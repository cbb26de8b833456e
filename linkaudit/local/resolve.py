"""Where each hyperlink of a document points: the web, a local file, a mail address, or another
scheme; and, for a local file, which one.

Extraction keeps a link as written when it is not an absolute web URL (`docs/guide.md`,
`../README.md#install`, `#usage-1`, `mailto:`, `tel:`). `resolve_links` gives every such link of a
document read from a file (or stdin) its target:

- a relative path is resolved against the document's folder and percent-decoded
  (`my%20notes.md` is `my notes.md`, `#caf%C3%A9` is `#café`); the query is dropped;
- a root-relative path (`/docs/x.md`) is resolved against `--root-dir`, else against `--base-url`
  (it becomes a web URL), else against the inputs' root (as GitHub resolves it from the
  repository's root);
- `//host/x` is `https://host/x`; `file:` URLs are local paths;
- a bare `#fragment` points into the document itself.

The link's `url` becomes the target as a path relative to the working directory (absolute when
it lies outside), with its `#fragment`, so a reader can open it. The inputs' root (a target never
leaves it) is the working directory for a document inside it, else the input (folder) the
document came from; `--root-dir` is allowed as well. A link that leaves it is still listed, and
the checker skips it, saying so: nothing outside the root is ever opened.

In a document fetched from the web, relative links were already resolved against its URL; its
own `#fragment` links are kept only with `--check-fragments all` (the page is then checked for
them like any remote page), as lychee does.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from linkaudit.config import AuditConfig, FragmentMode
from linkaudit.extract.urls import clean_url
from linkaudit.model import Document, Link, Reference

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


class Target(StrEnum):
    """What kind of thing a (resolved) link points at."""

    WEB = "web"
    """An http(s) URL: the network checker's."""
    LOCAL = "local"
    """A file or folder on this machine."""
    MAIL = "mail"
    """A `mailto:` address: its syntax is checked, nothing is sent."""
    OTHER = "other"
    """Any other scheme (`tel:`, `ftp:`, `javascript:`): not checked, said so."""


def target_of(url: str) -> Target:
    """The kind of target of a link's (resolved) URL."""
    match = _SCHEME.match(url)
    if match is None:
        return Target.LOCAL
    scheme = match.group(1).lower()
    if scheme in ("http", "https"):
        return Target.WEB
    if scheme == "mailto":
        return Target.MAIL
    if scheme == "file":
        return Target.LOCAL
    return Target.OTHER


def scheme_of(url: str) -> str:
    """The lower-cased scheme of `url`, or `""`."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def fragment_of(written: str | None) -> str | None:
    """The percent-decoded `#fragment` of a link as written, or None when it has no `#`."""
    if not written or "#" not in written:
        return None
    return unquote(written.partition("#")[2])


@dataclass(frozen=True, slots=True)
class LocalTarget:
    """A local file or folder a link points at."""

    key: str
    """The link's `url`: the path relative to the working directory, with the `#fragment`."""
    path: Path | None
    """The absolute, lexically normalised path; None for a `#fragment` of standard input."""
    display: str
    """The path relative to the working directory, for messages (`docs/releases.md`)."""
    fragment: str | None
    """The decoded fragment, or None when there is none."""
    bounds: tuple[Path, ...]
    """The folders it must stay inside (the inputs' root, `--root-dir`)."""
    origin: str
    """The document the link is in (a bare `#fragment` is checked against that document)."""
    folder: bool = False
    """True when written with a trailing `/`: it must be a folder."""

    @property
    def outside(self) -> bool:
        """True when the path leaves every folder of `bounds` (lexically)."""
        return self.path is not None and not any(inside(self.path, b) for b in self.bounds)


def inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or below it (both absolute and normalised)."""
    return path == folder or folder in path.parents


@dataclass(frozen=True, slots=True)
class Resolver:
    """Resolves the links of documents read from files; see the module docstring."""

    cwd: Path
    """The working directory (absolute)."""
    roots: tuple[Path, ...]
    """The inputs that were given: folders, and the folders of files (absolute)."""
    root_dir: Path | None = None
    """`--root-dir`, absolute."""
    base_url: str | None = None
    """`--base-url`."""
    remote_fragments: bool = False
    """`--check-fragments all`: a web document's own `#fragment` links are kept."""

    @classmethod
    def from_config(
        cls, cfg: AuditConfig, inputs: Sequence[str], cwd: Path | None = None
    ) -> Resolver:
        """The resolver for a run over `inputs` (paths; URLs and `-` are ignored here)."""
        here = Path(os.path.abspath(cwd or os.getcwd()))
        roots: list[Path] = []
        for given in inputs:
            if given == "-" or "://" in given:
                continue
            path = Path(os.path.normpath(here / given))
            roots.append(path if path.is_dir() else path.parent)
        root_dir = Path(os.path.normpath(here / cfg.root_dir)) if cfg.root_dir else None
        return cls(here, tuple(roots), root_dir, cfg.base_url,
                   cfg.check_fragments is FragmentMode.ALL)

    def bounds(self, document: Path) -> tuple[Path, ...]:
        """The folders a link of `document` may reach: the inputs' root, and `--root-dir`."""
        if inside(document, self.cwd):
            root = self.cwd
        else:
            holders = [r for r in self.roots if inside(document, r)]
            root = max(holders, key=lambda r: len(r.parts)) if holders else document.parent
        return (root, self.root_dir) if self.root_dir and self.root_dir != root else (root,)

    def key(self, path: Path, fragment: str | None) -> str:
        """A path's name relative to the working directory (absolute when it lies outside it),
        with its fragment."""
        if not inside(path, self.cwd):
            return path.as_posix() + (f"#{fragment}" if fragment else "")
        relative = Path(os.path.relpath(path, self.cwd)).as_posix()
        if _SCHEME.match(relative):
            relative = "./" + relative  # `a:b.md` must not read as a URL scheme
        return relative + (f"#{fragment}" if fragment else "")

    def local(
        self, written: str, document: Document
    ) -> tuple[str, LocalTarget | None]:
        """The resolved URL of a link written `written` in `document`, and its local target.

        A web URL (from `//host` or `--base-url`) comes back with no target.
        """
        if written.startswith("//"):
            return clean_url("https:" + written), None
        stdin = document.origin == "-"
        doc_path = Path(os.path.normpath(self.cwd / document.origin)) if not stdin else None
        folder = doc_path.parent if doc_path is not None else self.cwd
        bounds = self.bounds(doc_path) if doc_path is not None else (self.cwd,)
        if scheme_of(written) == "file":
            parts = urlsplit(written)
            raw_path, fragment = parts.path, parts.fragment
        else:
            raw_path, _, fragment = written.partition("#")
            raw_path = raw_path.partition("?")[0]
        decoded_fragment = unquote(fragment) if fragment else None
        if not raw_path:  # `#usage`: this document
            if doc_path is None:
                key = f"-#{decoded_fragment}" if decoded_fragment else "-"
                return key, LocalTarget(key, None, "-", decoded_fragment, bounds, document.origin)
            path = doc_path
        elif raw_path.startswith("/"):
            if self.root_dir is None and self.base_url is not None and not stdin:
                return clean_url(urljoin(self.base_url, written)), None
            base = self.root_dir or bounds[0]
            path = Path(os.path.normpath(base / unquote(raw_path).lstrip("/")))
        else:
            path = Path(os.path.normpath(folder / unquote(raw_path)))
        is_folder = raw_path.endswith("/") and path != self.cwd
        display = self.key(path, None) + ("/" if is_folder else "")
        key = display + (f"#{decoded_fragment}" if decoded_fragment else "")
        return key, LocalTarget(key, path, display, decoded_fragment, bounds, document.origin,
                                is_folder)

    def remapped(self, address: str, bounds: tuple[Path, ...]) -> LocalTarget:
        """The local target of an address `--remap` produced (relative to the working
        directory, or a `file:` URL); its path is percent-decoded as a URL's would be."""
        if scheme_of(address) == "file":
            parts = urlsplit(address)
            raw_path, fragment = parts.path, parts.fragment
        else:
            raw_path, _, fragment = address.partition("#")
        path = Path(os.path.normpath(self.cwd / unquote(raw_path)))
        decoded_fragment = unquote(fragment) if fragment else None
        key = self.key(path, decoded_fragment)
        every = bounds or (self.cwd, *self.roots, *((self.root_dir,) if self.root_dir else ()))
        return LocalTarget(key, path, self.key(path, None), decoded_fragment, every, "")


def _resolve_document(
    document: Document, resolver: Resolver, targets: dict[str, LocalTarget]
) -> Document:
    """`document` with the URL of each link (and reference) that is not web resolved."""
    if "://" in document.origin:
        if not any(link.url.startswith("#") for link in document.links):
            return document
        page = clean_url(document.site_url or document.origin)
        own = tuple(
            dataclasses.replace(link, url=page) if link.url.startswith("#") else link
            for link in document.links
            if resolver.remote_fragments or not link.url.startswith("#")
        )
        return dataclasses.replace(document, links=own)

    def resolved(url: str, written: str | None = None) -> str:
        if target_of(url) is not Target.LOCAL:
            return url
        # A reference's `url` was normalised (its fragment dropped): resolve it as written.
        key, target = resolver.local(written or url, document)
        if target is not None:
            targets.setdefault(key, target)
        return key

    links: list[Link] = []
    changed = False
    for link in document.links:
        url = resolved(link.url)
        changed = changed or url != link.url
        links.append(dataclasses.replace(link, url=url) if url != link.url else link)
    references: list[Reference] = []
    for ref in document.references:
        target = resolved(ref.url, ref.url_as_written) if ref.url else None
        changed = changed or target != ref.url
        references.append(dataclasses.replace(ref, url=target) if target != ref.url else ref)
    if not changed:
        return document
    return dataclasses.replace(document, links=tuple(links), references=tuple(references))


def resolve_links(
    documents: Sequence[Document], resolver: Resolver
) -> tuple[list[Document], dict[str, LocalTarget]]:
    """Every document with its links resolved, and the local target of each local link's URL."""
    targets: dict[str, LocalTarget] = {}
    return [_resolve_document(d, resolver, targets) for d in documents], targets
