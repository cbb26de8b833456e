"""The rules: link health, citation integrity and claims against their sources.

`ALL_RULES` (`linkaudit.rules.catalog`) is the explicit list, in the order outputs list them;
`analyse` (`linkaudit.rules.engine`) runs them. Default severities, declared once on each rule:

| rule | severity |
|---|---|
| dead, dead-unarchived, not-a-file-tree, dangling-marker | error |
| stale-source | error: a named time after the source (declared default); |
|  | warning: a present clause set against a dated one; info: present tense alone |
| soft-404, moved-offsite, unreachable, blocked, duplicate-reference | warning |
| invalid-url, missing-anchor | warning |
| source-after-document, unsupported-number, copied-citation | warning |
| redirected, unarchived, uncited-reference, self-citation, weak-support, undated-source, | info |
| markers-without-list | |
"""

from linkaudit.rules.catalog import ALL_RULES, RULES_BY_ID
from linkaudit.rules.engine import analyse, document_date
from linkaudit.rules.interface import Evidence, Rule, RuleContext, Scope, SourceInfo

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
