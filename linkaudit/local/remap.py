"""`--remap 'REGEX REPLACEMENT'`: check one address in place of another.

A staging host for the production one (`'https://example\\.com https://staging.example.com'`), a
built page for its source (`'\\.html$ .md'` in an mdBook's `src/`), or a local folder for a site
(`'https://docs\\.example\\.com/(.*) site/$1'`). A rule is two words split on whitespace, as lychee
writes them; groups are `$1`, `${1}`, `${name}` (lychee's spelling) or `\\1`. Rules apply to the URL
(or the path relative to the working directory) without its `#fragment`; the first rule whose
REGEX matches rewrites it, once, and the fragment is put back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_DOLLAR = re.compile(r"\$(?:\{(\w+)\}|(\d+))")


@dataclass(frozen=True, slots=True)
class Remap:
    """One compiled `--remap` rule."""

    pattern: re.Pattern[str]
    """What it matches (searched anywhere in the address)."""
    replacement: str
    """The replacement, in `re.sub` syntax."""
    spec: str
    """The rule as written, for messages."""


def parse_remap(spec: str) -> Remap:
    """`'REGEX REPLACEMENT'` compiled; `ValueError` with one line saying what is wrong."""
    parts = spec.split()
    if len(parts) != 2:
        raise ValueError(f"{spec!r}: write 'REGEX REPLACEMENT' (two words)")
    try:
        pattern = re.compile(parts[0])
    except re.error as exc:
        raise ValueError(f"{spec!r}: bad regular expression: {exc}") from None
    replacement = _DOLLAR.sub(lambda m: rf"\g<{m.group(1) or m.group(2)}>", parts[1])
    try:
        _probe(pattern).expand(replacement)  # a group the pattern does not have fails here
    except (re.error, IndexError) as exc:
        raise ValueError(f"{spec!r}: bad replacement: {exc}") from None
    return Remap(pattern, replacement, spec)


def _probe(pattern: re.Pattern[str]) -> re.Match[str]:
    """An (empty) match with the same groups as `pattern`, to validate a replacement against."""
    match = re.compile(f"(?:{pattern.pattern})?", pattern.flags).match("")
    assert match is not None  # an optional group always matches the empty string
    return match


def parse_remaps(specs: Sequence[str]) -> tuple[Remap, ...]:
    """Every rule compiled, in order."""
    return tuple(parse_remap(spec) for spec in specs)


def apply_remaps(address: str, remaps: Sequence[Remap]) -> str | None:
    """`address` rewritten by the first rule that matches it (fragment kept), or None."""
    if not remaps:
        return None
    base, hash_sign, fragment = address.partition("#")
    for remap in remaps:
        if remap.pattern.search(base):
            rewritten = remap.pattern.sub(remap.replacement, base, count=1)
            return rewritten + hash_sign + fragment
    return None
