"""Links that need no network: local files and folders, `#fragment`s, `mailto:` and other schemes.

Anchors follow GitHub's heading slugs (`anchors`).
"""

from linkaudit.local.anchors import Slugger, anchors_of, github_slug, html_anchors

__all__ = ["Slugger", "anchors_of", "github_slug", "html_anchors"]
