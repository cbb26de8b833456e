"""The extraction's flavour of Markdown: one markdown-it parser, shared by `extract.markdown`
and the anchors of a local Markdown file (`local.anchors`), so both read a file the same way.

A leaf module (markdown-it only), so `local` can use it without importing the extractors.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

MAX_NESTING = 64
"""markdown-it stops reading at its nesting limit (20 in the CommonMark preset) and silently
drops the rest of the document: a genealogy tree of nested lists would hide the reference list
after it. 64 levels cost a few hundred stack frames at most."""


@functools.cache
def markdown_parser() -> MarkdownIt:
    """A CommonMark parser with footnotes, front matter, tables and strikethrough; one for every
    document (a parse keeps no state in it)."""
    return (
        MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
        .use(footnote_plugin)
        .use(front_matter_plugin)
        .enable(["table", "strikethrough"])
    )
