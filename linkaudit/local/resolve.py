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
- a bare `#fragment` points into the document itself;
- a relative link in a site generator's template (`_layouts/`, `_includes/`, Hugo's `layouts/`,
  `partials/`, Sphinx's `_templates/`) is skipped, said: it resolves against each page the
  template renders (`href="../core"` in `_layouts/eip.html`), not against the template's folder;
- a link in a site generator's HTML page (front matter, `---`, on its first line) is a route of
  the built site: a missing path names the page under a page's extension (`./EIPS/eip-190` is
  `EIPS/eip-190.md`), and the link's URL is that file.

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
import mimetypes
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePath
from urllib.parse import unquote, urljoin, urlsplit

from linkaudit.config import FragmentMode, LinksConfig
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


def has_file_extension(name: str) -> bool:
    """True when a file name ends in an extension a file type is known by (`logo.png`,
    `guide.md`): such a link names a file, not a page (`Richard_J._Lorentz`, `Mailbox`)."""
    suffix = PurePath(name).suffix.lower()
    return bool(suffix) and (
        suffix in (".md", ".markdown", ".mdx", ".html", ".htm", ".rst", ".adoc", ".txt")
        or mimetypes.guess_type(f"x{suffix}")[0] is not None
    )


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
    template: bool = False
    """True when only a site generator's template links it (`_layouts/post.html`): a relative
    link there resolves against each page the template renders, not against its own folder."""

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
        cls, links: LinksConfig, inputs: Sequence[str], cwd: Path | None = None
    ) -> Resolver:
        """The resolver for a run over `inputs` (paths; URLs and `-` are ignored here)."""
        here = Path(os.path.abspath(cwd or os.getcwd()))
        roots: list[Path] = []
        for given in inputs:
            if given == "-" or "://" in given:
                continue
            path = Path(os.path.normpath(here / given))
            roots.append(path if path.is_dir() else path.parent)
        root_dir = Path(os.path.normpath(here / links.root_dir)) if links.root_dir else None
        return cls(here, tuple(roots), root_dir, links.base_url,
                   links.check_fragments is FragmentMode.ALL)

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

    template = is_template_path(document.origin)
    route = not template and is_generator_page(resolver.cwd / document.origin)

    def resolved(url: str, written: str | None = None) -> str:
        if target_of(url) is not Target.LOCAL:
            return url
        # A reference's `url` was normalised (its fragment dropped): resolve it as written.
        key, target = resolver.local(written or url, document)
        if target is not None:
            relative = not (written or url).startswith(("/", "#"))
            if template and relative:
                target = dataclasses.replace(target, template=True)
            elif route and target.path is not None and not target.folder:
                page = page_of(target.path) if not target.path.exists() else None
                if page is not None:  # the route of a page: the link's target is that file
                    display = resolver.key(page, None)
                    key = resolver.key(page, target.fragment)
                    target = dataclasses.replace(target, key=key, path=page, display=display)
            if key not in targets or targets[key].template and not target.template:
                targets[key] = target
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


TEMPLATE_FOLDERS = frozenset({"_layouts", "_includes", "layouts", "partials", "_partials",
                              "_templates"})
"""Folders of a site generator's templates (Jekyll, Eleventy, Hugo, Sphinx): a page there is
the frame of others, and its relative links are written for the pages it renders."""


def is_template_path(origin: str) -> bool:
    """True for a document in a site generator's template folder (`_layouts/post.html`)."""
    return "://" not in origin and not TEMPLATE_FOLDERS.isdisjoint(Path(origin).parts[:-1])


PAGE_EXTENSIONS = ("md", "html", "htm", "markdown", "mdx", "rst", "adoc")
"""The extensions a page-name link or a site route leaves off (`Board_Representation` for
`Board_Representation.md`, `./EIPS/eip-190` for `EIPS/eip-190.md`)."""


def page_of(path: Path, extensions: Sequence[str] = PAGE_EXTENSIONS) -> Path | None:
    """The file a page name names: `path` with the first of `extensions` under which a file is
    there, or None."""
    for ext in extensions:
        page = path.with_name(f"{path.name}.{ext}")
        if page.is_file():
            return page
    return None


def is_generator_page(path: Path) -> bool:
    """True for an HTML file that opens with front matter (`---`): a page a site generator
    (Jekyll, Hugo, Eleventy) builds, whose links are the built site's routes."""
    if path.suffix.lower() not in (".html", ".htm"):
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(4).rstrip(b"\r\n") == b"---"
    except OSError:
        return False


def resolve_links(
    documents: Sequence[Document], resolver: Resolver
) -> tuple[list[Document], dict[str, LocalTarget]]:
    """Every document with its links resolved, and the local target of each local link's URL."""
    targets: dict[str, LocalTarget] = {}
    return [_resolve_document(d, resolver, targets) for d in documents], targets
