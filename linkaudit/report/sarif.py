"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

`tool.driver.rules` comes from the rule metadata (`rulemeta`), so ids, summaries and docs links are
stated once. Locations use file paths relative to the working directory (code scanning resolves them
against the checkout) and 1-based lines and columns; columns count Unicode code points
(`columnKind: unicodeCodePoints`), as Python does. A finding with a suggested URL gets a `fixes`
entry replacing the URL as written in its reference entry. `partialFingerprints` carry a hash of
`Finding.fingerprint`, so code scanning tracks a finding across runs. With `--format sarif` the CLI
exits 0 unless the run failed, so the upload step still runs (zizmor does the same).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, assert_never
from urllib.parse import quote

from linkaudit import __version__
from linkaudit.config import ReportConfig, RulesConfig
from linkaudit.extract.positions import LineIndex
from linkaudit.ignore import safe_fingerprint
from linkaudit.model import AuditResult, Document, Finding, Severity
from linkaudit.report._text import display_path
from linkaudit.report.rulemeta import rule_catalogue
from linkaudit.textsafe import visible
from linkaudit.urls import redact_url

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/linkaudit/linkaudit"


def artifact_uri(origin: str) -> str:
    """A document origin as a SARIF `artifactLocation.uri`: a relative path (percent-encoded, `/`
    separators) for files, the URL itself for URL inputs."""
    path = display_path(origin)
    return path if "://" in path else quote(path, safe="/")


def sarif_level(severity: Severity) -> str:
    """The SARIF `level` of a severity."""
    match severity:
        case Severity.ERROR:
            return "error"
        case Severity.WARNING:
            return "warning"
        case Severity.INFO:
            return "note"
        case _ as unreachable:
            assert_never(unreachable)


def _region(line: int | None, column: int | None) -> dict[str, int]:
    # NOTE: SARIF lines/columns are 1-based; a document-level finding points at line 1.
    return {"startLine": max(line or 1, 1), "startColumn": max(column or 1, 1)}


def url_region(doc: Document, ref_id: str) -> dict[str, int] | None:
    """Where the URL of reference `ref_id` stands in `doc` (1-based, end column exclusive)."""
    ref = next((r for r in doc.references if r.id == ref_id), None)
    if ref is None or not ref.url_as_written:
        return None
    index = _line_index(doc.text)
    pos = index.find_near(doc.text, ref.url_as_written, ref.line, ref.column)
    if pos is None:
        return None
    line, column = index.position(pos)
    end_line, end_column = index.position(pos + len(ref.url_as_written))
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


@functools.lru_cache(maxsize=8)
def _line_index(text: str) -> LineIndex:
    """One index per document text, however many of its findings carry a fix."""
    return LineIndex(text)


def _fix(finding: Finding, doc: Document | None, uri: str) -> list[dict[str, Any]]:
    if not finding.fix or doc is None or not finding.reference:
        return []
    region = url_region(doc, finding.reference)
    if region is None:
        return []
    return [
        {
            "description": {"text": f"Replace the URL of [{finding.reference}] with {finding.fix}"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": uri},
                    "replacements": [
                        {"deletedRegion": region, "insertedContent": {"text": finding.fix}}
                    ],
                }
            ],
        }
    ]


def sarif_log(result: AuditResult) -> dict[str, Any]:
    """The SARIF log of a run, as a JSON-ready dict."""
    rules = rule_catalogue(result.findings)
    index = {ident: i for i, ident in enumerate(rules)}
    docs = {d.origin: d for d in result.documents}
    results: list[dict[str, Any]] = []
    for f in result.findings:
        uri = artifact_uri(f.document)
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": sarif_level(f.severity),
            "message": {"text": visible(f.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": _region(f.line, f.column),
                    }
                }
            ],
            "partialFingerprints": {
                "linkaudit/v1": hashlib.sha256(safe_fingerprint(f).encode("utf-8")).hexdigest()
            },
            "properties": {"reference": f.reference, "url": redact_url(f.url) if f.url else None},
        }
        fixes = _fix(f, docs.get(f.document), uri)
        if fixes:
            entry["fixes"] = fixes
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "linkaudit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [
                            {
                                "id": meta.ident,
                                "name": "".join(w.title() for w in meta.ident.split("-")),
                                "shortDescription": {"text": meta.summary},
                                "helpUri": meta.help_uri,
                                "defaultConfiguration": {"level": sarif_level(meta.severity)},
                            }
                            for meta in rules.values()
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not result.interrupted,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": visible(p.message)}}
                            for p in result.problems
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }


class SarifFormat:
    """`--format sarif`."""

    def render(self, result: AuditResult, report: ReportConfig, rules: RulesConfig) -> str:
        """The SARIF JSON text."""
        return json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n"
