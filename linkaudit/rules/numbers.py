"""Figures in a claim (amounts, percentages, counts) and whether a source's text states them.

What counts as a figure to check:
- amounts: `$53 billion`, `US$2.7bn`, `€5 million`, `53 billion yuan`;
- percentages: `26%`, `26 percent`, `26 per cent`, `26 pct`, `3 percentage points`;
- counts: a number with a scale word (`1.2 million users`), or a plain number of 10 or more;
- NOT: years (`2025`), numbers glued to letters (`H20`, `Qwen3`, `5G`), day numbers after a month
  name (`September 17`), ordinals (`1st`), small counts (`3 companies`, and counts written as
  words, which are out of scope).

A source states a figure when its text has the same kind of figure (a percentage for a
percentage; an amount or count for an amount) with the same value at the claim's precision, in
any usual spelling: `$53B`, `$53bn`, `53 bn`, `53 billion`, `53,000,000,000`, `$53.0 billion`
for `$53 billion`; `26 percent`, `26 per cent` for `26%`. A currency in the source is not
required (`53 billion` supports `$53 billion`), a different one is (`€53 billion` does not).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class FigureKind(StrEnum):
    """What a figure measures."""

    AMOUNT = "amount"
    PERCENT = "percent"
    COUNT = "count"


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as written, with its value."""

    text: str
    """The figure as written (`$53 billion`)."""
    value: Decimal
    """The value in units (53000000000), or the percentage (26)."""
    kind: FigureKind
    """Amount, percentage or count."""
    step: Decimal
    """The precision it was written with, in units (`$2.7 billion` -> 100000000)."""
    currency: str | None = None
    """`USD`, `EUR`, `GBP`, `JPY`, `CNY`, or None."""


_SCALES = {
    "thousand": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "t": Decimal(10) ** 12,
}
_CURRENCY_PREFIX = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "rmb": "CNY",
    "cny": "CNY",
    "hk$": "HKD",
}
_CURRENCY_SUFFIX = {"dollars": "USD", "euros": "EUR", "pounds": "GBP", "yen": "JPY", "yuan": "CNY"}

# The pattern starts at the digits (fast to scan for); a currency just before is read by `_CUR`.
_CUR = re.compile(r"(?:US\$|HK\$|\$|€|£|¥|\b(?:USD|EUR|GBP|RMB|CNY)\s?)$", re.I)
_FIGURE = re.compile(
    r"(?<![\w.,/-])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?![\w,]\d)"
    r"(?:(?P<sp>\s?)(?P<scale>trillion|billion|million|thousand|mln|bn|mn|tn|[kmbt])\b)?"
    r"(?P<pct>\s?(?:%|percent\b|per\s+cent\b|pct\b|percentage\s+points?\b))?"
    r"(?P<cursuf>\s+(?:dollars|euros|pounds|yen|yuan)\b)?",
    re.I,
)
_MONTH_BEFORE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+$", re.I
)


def figures_in(text: str) -> list[Figure]:
    """The figures of `text` in order (see the module docstring for what counts)."""
    figures = []
    for m in _FIGURE.finditer(text):
        num, frac = m["num"], m["frac"] or ""
        cur_match = _CUR.search(text, max(0, m.start() - 4), m.start())
        cur = cur_match[0] if cur_match else ""
        after = text[m.end() : m.end() + 1]
        if after.isalpha() and not (m["scale"] or m["pct"] or m["cursuf"]):
            continue  # glued to letters: 5G, 10x, 1st
        scale_word = (m["scale"] or "").lower()
        if scale_word and len(scale_word) == 1 and m["sp"]:
            scale_word = ""  # "53 b" is not a scale; "53B" is
        try:
            mantissa = Decimal(num.replace(",", "") + frac)
        except InvalidOperation:
            continue
        currency = None
        if cur:
            currency = _CURRENCY_PREFIX.get(cur.strip().lower())
        elif m["cursuf"]:
            currency = _CURRENCY_SUFFIX.get(m["cursuf"].strip().lower())
        step = Decimal(1).scaleb(-len(frac) + 1) if frac else Decimal(1)
        written = (cur + m[0]).strip()
        if m["pct"]:
            figures.append(Figure(written, mantissa, FigureKind.PERCENT, step))
            continue
        scale = _SCALES.get(scale_word, Decimal(1)) if scale_word else Decimal(1)
        if not scale_word:
            written = cur + num + frac
        value = mantissa * scale
        if not scale_word and currency is None:
            # A plain number: a count only if it is not a year, a day or a small number.
            is_year = not frac and "," not in num and 1900 <= mantissa <= 2100
            day = _MONTH_BEFORE.search(text, max(0, m.start() - 12), m.start())
            if is_year or mantissa < 10 or day:
                continue
        kind = FigureKind.AMOUNT if currency else FigureKind.COUNT
        figures.append(Figure(written, value, kind, step * scale, currency))
    return figures


def matches(claimed: Figure, stated: Figure) -> bool:
    """True when `stated` (from a source) gives `claimed`'s value at the claim's precision."""
    if (claimed.kind is FigureKind.PERCENT) != (stated.kind is FigureKind.PERCENT):
        return False
    if claimed.currency and stated.currency and claimed.currency != stated.currency:
        return False
    # The source may be more precise ($2.71 billion for $2.7 billion), never less.
    return abs(stated.value - claimed.value) * 2 <= claimed.step and stated.step <= claimed.step


def missing_figures(claim: str, source_text: str) -> tuple[list[Figure], list[Figure]]:
    """(figures of `claim` the source states, figures it does not), each in claim order."""
    return split_figures(claim, figures_in(source_text))


def split_figures(claim: str, stated: Sequence[Figure]) -> tuple[list[Figure], list[Figure]]:
    """(figures of `claim` found among `stated`, figures not found), each in claim order."""
    found: list[Figure] = []
    missing: list[Figure] = []
    for figure in figures_in(claim):
        (found if any(matches(figure, s) for s in stated) else missing).append(figure)
    return found, missing
