"""The rules: link health, citation integrity and claims against their sources.

`ALL_RULES` is the explicit list (zizmor's `register_audit!`), in the order outputs list them;
`analyse` runs them. Default severities, declared once on each rule:

| rule | severity |
|---|---|
| dead, dead-unarchived, dangling-marker | error |
| stale-source | error: a named time after the source (declared default); |
|  | warning: present tense, source older than --stale-after |
| soft-404, moved-offsite, unreachable, blocked, duplicate-reference | warning |
| invalid-url, missing-anchor | warning |
| source-after-document, unsupported-number, copied-citation | warning |
| redirected, unarchived, uncited-reference, self-citation, weak-support, undated-source, | info |
| markers-without-list | |
"""

from linkaudit.rules.anchors import MissingAnchor
from linkaudit.rules.claims import (
    CopiedCitation,
    SourceAfterDocument,
    StaleSource,
    UndatedSource,
    UnsupportedNumber,
    WeakSupport,
)
from linkaudit.rules.engine import analyse, document_date
from linkaudit.rules.integrity import (
    DanglingMarker,
    DuplicateReference,
    MarkersWithoutList,
    SelfCitation,
    UncitedReference,
)
from linkaudit.rules.interface import Evidence, Rule, RuleContext, Scope, SourceInfo
from linkaudit.rules.links import (
    Blocked,
    Dead,
    DeadUnarchived,
    InvalidUrl,
    MovedOffsite,
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

__all__ = [
    "ALL_RULES",
    "RULES_BY_ID",
    "Evidence",
    "Rule",
    "RuleContext",
    "Scope",
    "SourceInfo",
    "analyse",
    "document_date",
]
