"""`ALL_RULES`: every rule, once, in the order outputs list them (zizmor's `register_audit!`).

Its own module, below `linkaudit.rules.engine` (which runs them) and the package's face
(`linkaudit.rules`), so that neither imports the other.
"""

from __future__ import annotations

from linkaudit.rules.anchors import MissingAnchor
from linkaudit.rules.claims import (
    CopiedCitation,
    SourceAfterDocument,
    StaleSource,
    UndatedSource,
    UnsupportedNumber,
    WeakSupport,
)
from linkaudit.rules.integrity import (
    DanglingMarker,
    DuplicateReference,
    MarkersWithoutList,
    SelfCitation,
    UncitedReference,
)
from linkaudit.rules.interface import Rule
from linkaudit.rules.links import (
    Blocked,
    Dead,
    DeadUnarchived,
    InvalidUrl,
    MovedOffsite,
    NotAFileTree,
    Redirected,
    Soft404,
    Unarchived,
    Unreachable,
)

ALL_RULES: tuple[Rule, ...] = (
    Dead(),
    DeadUnarchived(),
    Soft404(),
    MovedOffsite(),
    Redirected(),
    Unreachable(),
    Blocked(),
    Unarchived(),
    InvalidUrl(),
    NotAFileTree(),
    MissingAnchor(),
    DanglingMarker(),
    MarkersWithoutList(),
    UncitedReference(),
    DuplicateReference(),
    SelfCitation(),
    StaleSource(),
    SourceAfterDocument(),
    UnsupportedNumber(),
    WeakSupport(),
    CopiedCitation(),
    UndatedSource(),
)
"""Every rule, once, in output order."""

RULES_BY_ID: dict[str, Rule] = {rule.ident: rule for rule in ALL_RULES}
"""`ALL_RULES` by id."""
