"""Untrusted text made safe for where it is shown: one policy per target, used by every output.

Page titles, reference labels, claims, error messages and URLs come from documents and web pages
we do not control. Whatever the target, `visible` comes first: C0 and C1 control characters
(a terminal escape sequence such as `\\x1b[31m`, a carriage return that rewrites a CI log line),
DEL, the bidirectional controls that reorder what a reader sees ("Trojan Source", CVE-2021-42574)
and the zero-width space that hides a difference between two URLs are *shown* as `\\xNN` /
`\\uNNNN`, never obeyed and never silently dropped, so a reader sees that the text held them.
Newlines and tabs become spaces (one value, one line) unless the target keeps lines.

The zero-width joiner and non-joiner (U+200D, U+200C) are left alone: Persian and Indic scripts
and emoji sequences need them, and they reorder nothing.

Then each target escapes its own syntax:

- terminal: `visible` for plain text (rich `Text`, stderr); `terminal_markup` when the string is
  parsed as rich markup (`[bold]` in a title must print as written);
- Markdown text: `md_text`, for a value standing inside a line (a table cell, after a prefix):
  HTML's `& < >` as entities (GitHub renders raw HTML in Markdown), inline punctuation
  backslashed, `@` too (a title must not mention, and so notify, a user or a team);
- Markdown URL: `md_url`, for a link destination `(...)` or an autolink `<...>`: everything but
  the URL-safe ASCII characters percent-encoded, so `)`, `>`, `|`, a space or a quote cannot end
  the link or the table cell;
- HTML: `html_text`, for text and quoted attribute values (`"` and `'` escaped too);
- GitHub workflow commands: `workflow_data` and `workflow_property` (actions/toolkit
  `command.ts`): `%`, CR and LF encoded in the message, `:` and `,` too in a property, so a title
  cannot end the annotation and start a command of its own.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

_SHOWN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls but tab and newline, DEL, C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u200b"  # zero-width space
)
_UNSAFE = re.compile(f"[{_SHOWN}]")
_UNSAFE_WITH_NEWLINES = re.compile(f"[\t\n{_SHOWN}]")


def _show(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in "\t\n":
        return " "
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with control, bidi and zero-width-space characters shown as escapes (`\\x1b`),
    never obeyed. Newlines and tabs become spaces unless `keep_newlines`, so that one value stays
    on one line."""
    return (_UNSAFE if keep_newlines else _UNSAFE_WITH_NEWLINES).sub(_show, text)


def terminal_markup(text: str) -> str:
    """`visible(text)` with rich markup escaped: for a string rich parses as markup."""
    from rich.markup import escape

    return escape(visible(text))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~@])")


def md_text(text: str) -> str:
    """Untrusted text made inert inside a line of GitHub-flavoured Markdown: `visible`, HTML
    entities for `& < >`, then the inline punctuation (`\\ ` * _ [ ] | ~ @`) backslashed.

    Line-start syntax (`#`, `-`, `1.`, `>`) is left as written: every value sits inside a line
    (a table cell, after a prefix), where it cannot trigger."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


_URL_SAFE = ":/?#[]@!$&*+,;=%~-._"
"""Kept as they are in a Markdown URL: the URL delimiters, `%` (an escape already made) and the
unreserved marks. Everything else (space, quotes, `( ) < > | \\ { } ^`, controls, non-ASCII) is
percent-encoded."""


def md_url(url: str) -> str:
    """`url` safe inside a Markdown link destination `(...)` or an autolink `<...>`, and in a
    table cell: every character outside the URL-safe ASCII set percent-encoded (as UTF-8).
    Redacting secrets is the caller's business (`linkaudit.urls.redact_url`)."""
    return quote(url, safe=_URL_SAFE)


def html_text(text: object) -> str:
    """Untrusted text for HTML, as element text or a quoted attribute value: `visible`, then
    `& < > " '` escaped."""
    return html.escape(visible(str(text)), quote=True)


def workflow_data(text: str) -> str:
    """The message part of a GitHub workflow command: `%`, CR and LF encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value (`file=`, `title=`) of a GitHub workflow command: `workflow_data`, and
    `:` and `,` encoded."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
