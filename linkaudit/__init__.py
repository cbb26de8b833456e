"""linkaudit: a citation and link-rot auditor.

It reads the numbered references and citation markers of articles, checks every cited URL,
finds archived copies and flags claims that their sources cannot support.
"""

__version__ = "0.1.0"
