"""Problems: what is wrong with an input or a run, one line each (`Problem`), of a closed set of
kinds (`ProblemKind`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    """The closed set of kinds of `Problem`. The JSON uses the values."""

    # Inputs (`linkaudit.inputs`, the article URLs of `linkaudit.audit`).
    MISSING = "missing"
    """An input named (or a file of a folder) does not exist."""
    BROKEN_SYMLINK = "broken-symlink"
    """A symbolic link to nothing."""
    SYMLINK_LOOP = "symlink-loop"
    """A link loop, or a folder reached again through a link."""
    UNREADABLE = "unreadable"
    """Permission denied, an I/O error, standard input that could not be read."""
    NOT_A_FILE = "not-a-file"
    """A device or socket named as an input."""
    TOO_LARGE = "too-large"
    """Over the size limit, skipped."""
    EMPTY = "empty"
    """An empty file, skipped."""
    BINARY = "binary"
    """NUL bytes or control characters: not text, skipped."""
    DECODE = "decode"
    """Not text in any known encoding, or invalid bytes replaced."""
    MIXED_ENCODING = "mixed-encoding"
    """Lines in another encoding than the rest, read as cp1252."""
    URL_INPUT = "url-input"
    """A URL given to a command that does not use the network (`extract`)."""
    FETCH = "fetch"
    """An article URL given as input could not be fetched."""
    OFFLINE = "offline"
    """An article URL given as input, with `--offline`."""
    # Extraction (`linkaudit.extract`).
    EXTRACT_ERROR = "extract-error"
    """An extractor failed on the document; nothing (more) was read from it."""
    REPAIRED_URL = "repaired-url"
    """A reference URL broken across a line or a space was joined."""
    MARKDOWN_NESTING = "markdown-nesting"
    """Blocks nested too deep for the parser."""
    DENSE_MARKDOWN = "dense-markdown"
    """A paragraph dense with Markdown punctuation, read as plain text."""
    CONFLICTING_REFERENCE = "conflicting-reference"
    """A reference listed again with a different entry."""
    DUPLICATED_BODY = "duplicated-body"
    """The body and/or the reference list appear more than once."""
    # The run.
    INSECURE = "insecure"
    """`--insecure`: TLS certificates were not verified."""
    STORE = "store"
    """The cache, the history or the crawl frontier could not be read or written."""
    WORKER_LOST = "worker-lost"
    """A shard whose workers kept dying: its links were not checked."""
    # The crawl (`linkaudit.crawl`).
    CRAWL = "crawl"
    """An internal error on one page of the crawl."""
    CRAWL_UNREACHED = "crawl-unreached"
    """No page of the site could be fetched."""
    CRAWL_DELAY = "crawl-delay"
    """A robots.txt `Crawl-delay` that was capped."""
    PAGE = "page"
    """A crawled page read in part."""
    ROBOTS = "robots"
    """A robots.txt that could not be read."""
    SITEMAP = "sitemap"
    """A sitemap or feed that could not be (wholly) read."""
    # The archive (`linkaudit.archive`).
    ARCHIVE_UNREACHABLE = "archive-unreachable"
    """The archive could not be reached; its answers are unknown for the rest of the run."""
    ARCHIVE_UNUSABLE = "archive-unusable"
    """Lookups in a row got no answer; the archive is not asked again in this run."""
    ARCHIVE_RATE_LIMITED = "archive-rate-limited"
    """A `Retry-After` longer than the cap; the archive is not asked again in this run."""
    SAVE_PAGE_NOW = "save-page-now"
    """A Save Page Now request that did not succeed."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an input or a run that is worth telling the user, one line."""

    kind: ProblemKind
    """What kind of problem it is (`binary`, `repaired-url`, `archive-unreachable`, ...)."""
    message: str
    """One line for a person, naming what is wrong."""
    line: int | None = None
    """1-based line in the document, when the problem has one."""
    origin: str | None = None
    """The file or URL the problem is about, when it is not the document that holds it."""
