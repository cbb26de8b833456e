"""Claims against their sources: dates, figures, key terms and copied citation lists.

No model: dates, numbers and words only, so that every finding shows evidence a reader can check
(`shared/reference/dates-and-claims.md`: "Rules (dates, numbers, named terms) need no model").

`stale-source`, the time rule, decides as `StaleSource` says (`linkaudit.rules.time` reads the
claim): an error only for a named time after the source; a warning for a present clause set
against a dated one; a note for a claim in the present tense alone.

The rules live in two modules: `linkaudit.rules.claim_dates` (the source's date against the
time the claim speaks of) and `linkaudit.rules.claim_text` (the source's text against the
claim's figures, words and markers).
"""

from linkaudit.rules.claim_dates import SourceAfterDocument, StaleSource, UndatedSource
from linkaudit.rules.claim_text import (
    CopiedCitation,
    UnsupportedNumber,
    WeakSupport,
    clear_caches,
    key_terms,
    marked_sentences,
)

__all__ = [
    "CopiedCitation",
    "SourceAfterDocument",
    "StaleSource",
    "UndatedSource",
    "UnsupportedNumber",
    "WeakSupport",
    "clear_caches",
    "key_terms",
    "marked_sentences",
]
