"""Property-based tests (hypothesis) of every parser that reads untrusted text.

Each parser gets random (and adversarially shaped) input and must return a value of its
documented type, within its documented bounds, or raise only its documented error: extraction of
text, Markdown and HTML; document and source dates; claim times and figures; the config file;
cassettes; robots.txt and sitemaps. Examples are kept few so the folder stays fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import string
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.check.transport import ReplayClient
from linkaudit.configfile import FIELD_TYPES, load_config
from linkaudit.crawl.robots import parse_robots
from linkaudit.crawl.sitemaps import ListingTooLarge, parse_listing
from linkaudit.errors import ConfigError, LinkauditError
from linkaudit.extract import extract_document
from linkaudit.extract.dates import find_dateline, front_matter_date, json_ld_date, parse_date
from linkaudit.http import FetchError, HttpResponse
from linkaudit.inputs import Source
from linkaudit.model import DocFormat, Document
from linkaudit.rules.numbers import figures_in, missing_figures
from linkaudit.rules.time import claim_time, times_in
from linkaudit.sourcedates import date_from_url

FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Text that looks like the documents we read: markers, URLs, dates, markup, numbers, noise.
_PIECES = st.sampled_from([
    "[1]", "[2]", "[^1]", "[12]", "[1, 3]", "(1)", "¹", "https://example.com/a", "http://x.test/",
    "<https://e.com/b>", "[t](https://e.com/c)", "https://e.com/2024/09/17/x.html", "\n",
    "\n\n", "## References\n", "1. ", "References:\n", "Monday, Sep 1, 2025", "2025-09-01",
    "---\ndate: 2025-02-30\n---\n", "<a href='https://e.com/d'>", "</a>", "<p>", "<script>",
    "<meta property='article:published_time' content='2024-13-45'>", "$2.7 billion", "26%",
    "Q2 2025", "last year", "in June", "has risen", "fell", "\x1b[31m", "\u202e", "\ufeff",
    "`code`", "```\n", "|", "*", "_", "&amp;", "&#x0;", "%", "€1,5 Mrd.", "1e308", "9" * 40,
])
DOC_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40).map("".join)


def _check_document(doc: Document, text: str) -> None:
    # Extraction reads `\r\n` and a lone `\r` as one line break each, as editors do.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    for ref in doc.references:
        assert 1 <= ref.line <= lines and ref.column >= 1
        assert ref.url is None or isinstance(ref.url, str)
    for cit in doc.citations:
        assert 1 <= cit.line <= lines and cit.ids


@FAST
@given(text=DOC_TEXT, fmt=st.sampled_from(list(DocFormat)))
def test_extraction_never_fails(text: str, fmt: DocFormat) -> None:
    data = text.encode("utf-8", "surrogatepass") if text else b" "
    doc = extract_document(Source("fuzz", data, format=fmt), as_of=dt.date(2025, 9, 1))
    _check_document(doc, text)


@FAST
@given(data=st.binary(max_size=400))
def test_extraction_of_random_bytes(data: bytes) -> None:
    for name in ("fuzz.md", "fuzz.html", "fuzz.txt"):
        doc = extract_document(Source(name, data or b" "))
        assert isinstance(doc, Document)


@FAST
@given(text=DOC_TEXT)
def test_document_dates(text: str) -> None:
    value = parse_date(text)
    assert value is None or isinstance(value, dt.date)
    fact = find_dateline(text.splitlines())
    assert fact is None or 1 <= fact.value.year <= 9999
    for fact in (json_ld_date([text, json.dumps({"datePublished": text, "@graph": [text]})]),
                 front_matter_date(text)):
        assert fact is None or isinstance(fact.value, dt.date)


_URL = st.builds(
    lambda host, parts, q: f"https://{host}/" + "/".join(parts) + q,
    st.sampled_from(["e.com", "news.example", "x.test"]),
    st.lists(st.one_of(st.from_regex(r"\A(19|20|99|00)\d\d\Z"), st.from_regex(r"\A\d{1,4}\Z"),
                       st.text(string.ascii_lowercase + "-0123456789", max_size=12)), max_size=6),
    st.sampled_from(["", "?date=2024-02-30", "?d=20240917", "#2023/01/01"]),
)


@FAST
@given(url=st.one_of(_URL, st.text(max_size=80)))
def test_source_date_from_url(url: str) -> None:
    fact = date_from_url(url)
    if fact is not None:
        assert 1990 <= fact.value.year <= dt.date.today().year + 1, (url, fact)


@FAST
@given(claim=DOC_TEXT, year=st.integers(1, 9999))
def test_claim_times(claim: str, year: int) -> None:
    doc_date = dt.date(year, 1, 1) if year > 1 else None
    found = claim_time(claim, doc_date)
    assert found is not None
    for ref in times_in(claim, doc_date):
        assert ref.label  # every time found can be named in a message


@FAST
@given(claim=DOC_TEXT, source=DOC_TEXT)
def test_figures(claim: str, source: str) -> None:
    figures = figures_in(claim)
    found, missing = missing_figures(claim, source)  # (stated by the source, not stated)
    # Every figure of the claim lands in exactly one of the two lists, nothing else does.
    assert sorted(f.text for f in found + missing) == sorted(f.text for f in figures)
    assert missing_figures(claim, claim)[1] == []  # a text supports its own figures


# -- config -------------------------------------------------------------------------------------

_KEYS = st.one_of(st.sampled_from(sorted(FIELD_TYPES) + ["rules", "hosts", "unknown-key"]),
                  st.text(string.ascii_lowercase + "_-", min_size=1, max_size=12))
_SCALARS = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True), st.booleans(),
    st.text(max_size=20), st.sampled_from(["env:HOME", "env:", "127.0.0.0/8", "dead", "error",
                                           "2025-09-01", "[", "*"]),
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(value, repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=8)


@FAST
@given(table=st.dictionaries(_KEYS, _VALUES, max_size=5), raw=st.one_of(st.none(), DOC_TEXT),
       pyproject=st.booleans())
def test_config_raises_only_config_error(table: dict[str, Any], raw: str | None,
                                         pyproject: bool) -> None:
    body = "\n".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items())
    if pyproject:
        body = "[tool.linkaudit]\n" + body
    text = raw if raw is not None else body
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("pyproject.toml" if pyproject else "linkaudit.toml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            values = load_config(path, environ={"HOME": "/root"})
        except ConfigError as exc:
            assert str(exc) and "\n" not in str(exc).strip()[:1]
        else:
            assert set(values) <= set(FIELD_TYPES)


# -- cassettes ---------------------------------------------------------------------------------

_YAML_ANY = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=10), st.booleans(), st.binary(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(
                                ["version", "interactions", "request", "response", "method",
                                 "uri", "status", "code", "body", "string", "headers",
                                 "linkaudit", "error", "type", "kind", "message", "truncated"]),
                                inner, max_size=4)),
    max_leaves=12,
)
_INTERACTION = st.fixed_dictionaries(
    {"request": st.fixed_dictionaries({"method": st.sampled_from(["GET", "HEAD", 3, None]),
                                       "uri": st.sampled_from(["https://e.com/", "x", 5])}),
     "response": st.fixed_dictionaries({
         "status": st.one_of(st.fixed_dictionaries({"code": st.one_of(
             st.integers(-5, 1000), st.text(max_size=4), st.none(), st.floats())}), _YAML_ANY),
         "headers": _YAML_ANY,
         "body": st.one_of(st.fixed_dictionaries({"string": st.one_of(
             st.text(max_size=10), st.binary(max_size=10), st.none(), st.integers())}),
             _YAML_ANY)})},
    optional={"linkaudit": _YAML_ANY},
)


@FAST
@given(doc=st.one_of(_YAML_ANY, st.fixed_dictionaries(
    {"version": st.just(1), "interactions": st.lists(_INTERACTION, max_size=3)})))
def test_cassette_raises_only_linkaudit_errors(doc: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        try:
            client = ReplayClient(path)
        except LinkauditError:
            return
        requests = []
        if isinstance(doc, dict) and isinstance(doc.get("interactions"), list):
            for item in doc["interactions"]:
                req = item.get("request", {}) if isinstance(item, dict) else {}
                requests.append((str(req.get("method")), str(req.get("uri"))))

        async def replay_all() -> None:
            for method, uri in requests:
                try:
                    response = await client.fetch(method, uri, max_body=4)
                except (FetchError, LinkauditError):
                    continue
                assert isinstance(response, HttpResponse) and len(response.body) <= 4

        asyncio.run(replay_all())


@FAST
@given(text=st.text(max_size=300).map(lambda t: t.replace("\r", "\n")))
def test_cassette_of_random_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "c.yaml"
        file.write_text(text, encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(LinkauditError):
            ReplayClient(file)


# -- crawl parsers -----------------------------------------------------------------------------

_ROBOTS = st.lists(st.one_of(
    st.sampled_from(["User-agent: *", "User-agent: linkaudit", "Disallow: /", "Allow: /a$",
                     "Disallow: /*?*", "Disallow: *", "Allow: /**/x$$", "Sitemap: https://e/s",
                     "Crawl-delay: 1e9", "Crawl-delay: -1", "Disallow: /%", "Disallow: /%zz",
                     "# c", "", "User-agent:", ":", "Disallow: /(a|b)[c"]),
    st.text(max_size=30)), max_size=20).map("\n".join)


@FAST
@given(text=_ROBOTS, path=st.text(max_size=30))
def test_robots_parser(text: str, path: str) -> None:
    robots = parse_robots(text, "linkaudit/1.0 (+https://x)")
    assert isinstance(robots.allowed(f"https://e.com/{path}"), bool)


_XML = st.lists(st.one_of(
    st.sampled_from(["<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", "</urlset>",
                     "<url>", "</url>", "<loc>https://e.com/a</loc>", "<loc></loc>",
                     "<lastmod>2025-02-30</lastmod>", "<lastmod>2024-09-17T05:33:01Z</lastmod>",
                     "<sitemapindex>", "</sitemapindex>", "<sitemap>", "</sitemap>", "<rss>",
                     "<channel>", "<item>", "<link>https://e.com/b</link>", "</item>",
                     "<pubDate>Tue, 17 Sep 2024 05:33:01 GMT</pubDate>", "<feed>", "<entry>",
                     "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<?xml version='1.0'?>"]),
    st.text(max_size=12)), max_size=25).map("".join)


@FAST
@given(data=st.one_of(_XML.map(lambda s: s.encode("utf-8", "surrogatepass")),
                      st.binary(max_size=200)),
       max_urls=st.integers(0, 5))
def test_sitemap_parser(data: bytes, max_urls: int) -> None:
    try:
        listing = parse_listing(data, max_urls=max_urls)
    except ListingTooLarge:
        return
    assert len(listing.entries) <= max_urls
