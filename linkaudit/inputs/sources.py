"""Reading inputs: files, folders (walked), `-` for stdin; URLs are passed on for fetching.

A folder is walked for `.md`, `.markdown`, `.txt`, `.html` and `.htm` files in sorted order,
skipping `.git`, `.hg`, `.svn`, `node_modules` and whatever the `.gitignore` files (of the
enclosing repository and nested ones) ignore. Symbolic links to directories are followed once:
a directory met again through a link is a loop, reported and not entered. Every input that cannot
be used (missing, a broken symlink, unreadable, a symlink loop, empty, binary, undecodable,
larger than `max_bytes`) becomes a `Problem` naming it, and the rest goes on. `--exclude-path`
globs leave inputs out.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pathspec import GitIgnoreSpec

from linkaudit.inputs.decoding import decode
from linkaudit.inputs.gitignore import IgnoreLayer, ancestor_layers, is_ignored, load_layer
from linkaudit.model import DocFormat, Problem, ProblemKind

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused (a `too-large` problem)."""
WALKED_EXTENSIONS = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
"""The files a folder walk picks up."""
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules"})
"""Folders never entered."""


@dataclass(frozen=True, slots=True)
class Source:
    """One document's raw bytes and where they came from."""

    origin: str
    """The path as given (or joined under a given folder), `-` for stdin, or the URL."""
    data: bytes
    """The raw content."""
    format: DocFormat | None = None
    """The format, or None to guess it from the extension and the content."""
    url: str | None = None
    """The page URL when the document came from the web (used to resolve relative links)."""


@dataclass(frozen=True, slots=True)
class Collected:
    """Everything the inputs gave: documents to read, URLs to fetch, and what went wrong."""

    sources: tuple[Source, ...]
    """Readable documents, in input order (folder contents sorted)."""
    urls: tuple[str, ...] = ()
    """`http://` and `https://` arguments, in order, for the audit to fetch."""
    problems: tuple[Problem, ...] = ()
    """One per input that could not be used."""


def collect(
    paths: Sequence[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Sequence[str] = (),
) -> Collected:
    """Read every input: files, folders, `-` (stdin); URLs are kept aside in order.

    `exclude` (`--exclude-path`) holds gitignore-style globs: a file or folder whose path, as it
    is reported (`docs/old/x.md`, without a leading `./`), matches one is not read (a folder is
    not entered).
    """
    reader = _Reader(max_bytes, GitIgnoreSpec.from_lines(exclude) if exclude else None)
    urls: list[str] = []
    for given in paths:
        if given.lower().startswith(("http://", "https://")):
            urls.append(given)
        elif given == "-":
            reader.read_stream(stdin if stdin is not None else sys.stdin.buffer)
        else:
            reader.read_path(given)
    return Collected(tuple(reader.sources), tuple(urls), tuple(reader.problems))


class _Reader:
    """Accumulates sources and problems while inputs are read."""

    def __init__(self, max_bytes: int, exclude: GitIgnoreSpec | None = None) -> None:
        self.max_bytes = max_bytes
        self.exclude = exclude
        self.sources: list[Source] = []
        self.problems: list[Problem] = []

    def problem(self, kind: ProblemKind, origin: str, message: str) -> None:
        self.problems.append(Problem(kind, f"{origin}: {message}", origin=origin))

    def read_stream(self, stream: BinaryIO) -> None:
        try:
            data = stream.read(self.max_bytes + 1)
        except (OSError, ValueError) as exc:
            self.problem(ProblemKind.UNREADABLE, "-", f"cannot read standard input ({exc})")
            return
        self.accept("-", data if isinstance(data, bytes) else bytes(data))

    def excluded(self, origin: str, is_dir: bool) -> bool:
        """True when `--exclude-path` names this file or folder."""
        if self.exclude is None:
            return False
        path = os.path.normpath(origin).replace(os.sep, "/").lstrip("/")
        return path != "." and self.exclude.match_file(path + ("/" if is_dir else ""))

    def read_path(self, given: str) -> None:
        try:
            info = os.stat(given)
        except OSError as exc:
            self.os_problem(given, exc)
            return
        if self.excluded(given, stat.S_ISDIR(info.st_mode)):
            return
        if stat.S_ISDIR(info.st_mode):
            self.walk(Path(given), given)
        elif stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode) or given.startswith("/dev/"):
            self.read_file(given, info.st_size if stat.S_ISREG(info.st_mode) else None)
        else:
            self.problem(ProblemKind.NOT_A_FILE, given, "not a regular file or folder, skipped")

    def os_problem(self, origin: str, exc: OSError) -> None:
        import errno

        if exc.errno == errno.ELOOP:
            self.problem(ProblemKind.SYMLINK_LOOP, origin, "symbolic link loop, skipped")
        elif exc.errno == errno.ENOENT and os.path.islink(origin):
            try:
                target = os.readlink(origin)
            except OSError:
                target = "?"
            self.problem(ProblemKind.BROKEN_SYMLINK, origin,
                         f"broken symlink (to {target}, which does not exist), skipped")
        elif exc.errno == errno.ENOENT:
            self.problem(ProblemKind.MISSING, origin, "no such file or folder")
        elif exc.errno in (errno.EACCES, errno.EPERM):
            self.problem(ProblemKind.UNREADABLE, origin, "permission denied, skipped")
        else:
            self.problem(
                ProblemKind.UNREADABLE, origin, f"cannot read ({exc.strerror or exc}), skipped"
            )

    def read_file(self, origin: str, size: int | None) -> None:
        if size is not None and size > self.max_bytes:
            self.problem(
                ProblemKind.TOO_LARGE,
                origin,
                f"{size / 1048576:.1f} MiB is over the {self.max_bytes / 1048576:.0f} MiB limit, "
                "skipped",
            )
            return
        try:
            with open(origin, "rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError as exc:
            self.os_problem(origin, exc)
            return
        self.accept(origin, data)

    def accept(self, origin: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            self.problem(
                ProblemKind.TOO_LARGE,
                origin,
                f"over the {self.max_bytes / 1048576:.0f} MiB limit, skipped",
            )
            return
        if not data.strip():
            self.problem(ProblemKind.EMPTY, origin, "empty file, skipped")
            return
        text, problem = decode(data, origin)
        unreadable = (ProblemKind.BINARY, ProblemKind.DECODE)
        if problem is not None and problem.kind in unreadable and not text:
            self.problems.append(Problem(problem.kind, problem.message, origin=origin))
            return
        self.sources.append(Source(origin, data))

    def walk(self, root: Path, given: str) -> None:
        """Walk a folder depth-first in sorted order, honouring `.gitignore` files."""
        files: list[tuple[tuple[str, ...], str]] = []
        visited: set[tuple[int, int]] = set()
        # Walked by absolute path (origins keep the spelling given), so that the `.gitignore`
        # layers, which are absolute, can judge every entry.
        root = Path(os.path.abspath(root))
        stack: list[tuple[Path, tuple[str, ...], tuple[IgnoreLayer, ...]]] = [
            (root, (), ancestor_layers(root))
        ]
        while stack:
            directory, parts, layers = stack.pop()
            origin = os.path.join(given, *parts) if parts else given
            try:
                info = directory.stat()
            except OSError as exc:
                self.os_problem(origin, exc)
                continue
            key = (info.st_dev, info.st_ino)
            if key in visited:
                self.problem(
                    ProblemKind.SYMLINK_LOOP, origin, "folder reached again through a link, skipped"
                )
                continue
            visited.add(key)
            if parts:
                layer = load_layer(directory)
                if layer is not None:
                    layers = (*layers, layer)
            try:
                with os.scandir(directory) as entries:
                    listing = sorted(entries, key=lambda e: e.name)
            except OSError as exc:
                self.os_problem(origin, exc)
                continue
            subdirs = []
            for entry in listing:
                child = (*parts, entry.name)
                child_origin = os.path.join(given, *child)
                try:
                    is_dir = entry.is_dir()
                    is_file = entry.is_file()
                except OSError as exc:
                    self.os_problem(child_origin, exc)
                    continue
                if not is_dir and not is_file:
                    if entry.is_symlink():
                        self._broken_link(child_origin)
                    continue
                if is_dir and entry.name in SKIPPED_DIRECTORIES:
                    continue
                if is_file and Path(entry.name).suffix.lower() not in WALKED_EXTENSIONS:
                    continue
                if is_ignored(Path(entry.path), is_dir, layers):
                    continue
                if self.excluded(child_origin, is_dir):
                    continue
                if is_dir:
                    subdirs.append((Path(entry.path), child, layers))
                else:
                    files.append((child, child_origin))
            stack.extend(reversed(subdirs))
        for _parts, origin in sorted(files):
            try:
                size = os.stat(origin).st_size
            except OSError as exc:
                self.os_problem(origin, exc)
                continue
            self.read_file(origin, size)

    def _broken_link(self, origin: str) -> None:
        """Report a dangling or looping link, if it looks like a document (or loops)."""
        import errno

        try:
            os.stat(origin)
        except OSError as exc:
            if Path(origin).suffix.lower() in WALKED_EXTENSIONS or exc.errno == errno.ELOOP:
                self.os_problem(origin, exc)
