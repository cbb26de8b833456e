"""The core values of linkaudit: what every stage takes in and gives out.

All values are frozen dataclasses. A broken link, a missing date or an unreadable file is *data*
(a `LinkCheck` with a status, a `Problem`), never an exception: exceptions are kept for the run
itself failing (see `linkaudit.errors`).

The pipeline is `Document` (extract) -> `LinkCheck` (check) -> `ArchiveLookup` (archive)
-> `Finding` (rules) -> report. `AuditResult` holds one run of it.

The values live in one module per stage (`documents`, `problems`, `checks`, `archives`,
`results`); import them from here.
"""

from __future__ import annotations

from linkaudit.model.archives import (
    ArchiveLookup,
    ArchiveState,
    Snapshot,
    SnapshotKind,
)
from linkaudit.model.checks import (
    ALLOW_PRIVATE_HINT,
    Hop,
    LinkCheck,
    LinkGroup,
    LinkStatus,
    PageRead,
    is_address_refusal,
    skip_reason,
)
from linkaudit.model.documents import (
    Citation,
    DatedFact,
    DateOrigin,
    DocFormat,
    Document,
    Link,
    LinkKind,
    Reference,
    registrable_host,
)
from linkaudit.model.problems import (
    Problem,
    ProblemKind,
)
from linkaudit.model.results import (
    AuditResult,
    Finding,
    RankedArticle,
    RuleSkip,
    Severity,
    SiteView,
)

__all__ = [
    "ALLOW_PRIVATE_HINT",
    "ArchiveLookup",
    "ArchiveState",
    "AuditResult",
    "Citation",
    "DateOrigin",
    "DatedFact",
    "DocFormat",
    "Document",
    "Finding",
    "Hop",
    "Link",
    "LinkCheck",
    "LinkGroup",
    "LinkKind",
    "LinkStatus",
    "PageRead",
    "Problem",
    "ProblemKind",
    "RankedArticle",
    "Reference",
    "RuleSkip",
    "Severity",
    "SiteView",
    "Snapshot",
    "SnapshotKind",
    "is_address_refusal",
    "registrable_host",
    "skip_reason",
]
