"""Links that need no network: local files and folders, `#fragment`s, `mailto:` and other schemes.

`resolve_links` gives each link of a document read from a file its target (`resolve`), and
`plan_checks` checks what needs no network and hands the rest to the network checker
(`checker`). Anchors follow GitHub's heading slugs (`anchors`); `--remap` rewrites what is
checked (`remap`).
"""

from linkaudit.local.anchors import Slugger, anchors_of, github_slug, html_anchors
from linkaudit.local.checker import CheckPlan, LocalChecker, check_mailto, plan_checks
from linkaudit.local.remap import Remap, apply_remaps, parse_remap, parse_remaps
from linkaudit.local.resolve import (
    LocalTarget,
    Resolver,
    Target,
    fragment_of,
    resolve_links,
    target_of,
)

__all__ = [
    "CheckPlan",
    "LocalChecker",
    "LocalTarget",
    "Remap",
    "Resolver",
    "Slugger",
    "Target",
    "anchors_of",
    "apply_remaps",
    "check_mailto",
    "fragment_of",
    "github_slug",
    "html_anchors",
    "parse_remap",
    "parse_remaps",
    "plan_checks",
    "resolve_links",
    "target_of",
]
