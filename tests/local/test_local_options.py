"""The options docs teams bring from lychee: --remap, --root-dir, --base-url, --exclude-path,
--accept, --github-token (and GITHUB_TOKEN), --insecure, --check-fragments, each as a flag and a
config key; remote pages' fragments; mail and other schemes. Servers are loopback ones."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from fakes import start_app
from typer.testing import CliRunner

from linkaudit.audit import run_audit
from linkaudit.check.transport import AiohttpClient
from linkaudit.cli import app
from linkaudit.config import AuditConfig, FragmentMode, parse_statuses
from linkaudit.configfile import load_config, merge
from linkaudit.errors import ConfigError
from linkaudit.local import check_mailto, parse_remap
from linkaudit.model import AuditResult, LinkStatus

PAGE = """<!doctype html><html><head><title>Guide</title></head><body>
<h1 id="present">Present</h1><a name="named"></a><p>Some text.</p></body></html>"""


@dataclass
class Server:
    """A loopback site: every path answers with `handler`; requests are recorded."""

    runner: web.AppRunner
    port: int
    scheme: str
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def page(request: web.Request) -> web.StreamResponse:
    if request.path == "/forbidden":
        return web.Response(status=403, text="no bots")
    if request.path == "/huge":
        return web.Response(text=PAGE + "<p>" + "x" * 4000 + '</p><h2 id="late">L</h2>',
                            content_type="text/html")
    return web.Response(text=PAGE, content_type="text/html")


async def start(handler: Handler = page, ssl_context: ssl.SSLContext | None = None,
                host: str = "127.0.0.1") -> Server:
    server = Server(None, 0, "https" if ssl_context else "http")  # type: ignore[arg-type]

    async def record(request: web.Request) -> web.StreamResponse:
        server.seen.append((request.host, request.path, dict(request.headers)))
        return await handler(request)

    application = web.Application()
    application.router.add_route("*", "/{tail:.*}", record)
    server.runner, server.port = await start_app(application, host, ssl_context=ssl_context)
    return server


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    s = await start()
    yield s
    await s.runner.cleanup()


def loopback(**changes: object) -> AuditConfig:
    """A config that may reach loopback servers and keeps no store."""
    return AuditConfig.build(allow_private_all=True, cache=False,
                               history=False, retries=0, archive=AuditConfig().archive.mode.NONE,
                               **changes)  # type: ignore[arg-type]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def findings(result: AuditResult) -> set[tuple[str, str]]:
    return {(f.rule, f.url or "") for f in result.findings}


# -- --remap ----------------------------------------------------------------------------------


def test_remap_checks_a_built_page_as_its_source(in_tmp: Path) -> None:
    # An mdBook chapter links to what the build will produce, beside its Markdown source.
    write(in_tmp / "src" / "ch01.md", "# One\n\nSee [closures](ch13-01-closures.html#capturing).\n")
    write(in_tmp / "src" / "ch13-01-closures.md", "# Closures\n\n## Capturing\n")
    code, out, _ = cli("audit", "src", "--offline", "--format", "json")
    assert code == 1 and "no such file: src/ch13-01-closures.html" in out
    code, out, _ = cli("audit", "src", "--offline", "--format", "json",
                       "--remap", r"\.html$ .md")
    report = json.loads(out)
    assert code == 0 and report["findings"] == []
    (link,) = report["links"]
    assert link["url"] == "src/ch13-01-closures.html#capturing"
    assert link["checked_as"] == "src/ch13-01-closures.md#capturing"
    # ... and the anchor is judged in the file checked instead.
    write(in_tmp / "src" / "ch13-01-closures.md", "# Closures\n\n## Moving\n")
    _code, out, _ = cli("audit", "src", "--offline", "--format", "json", "--remap", r"\.html$ .md")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["missing-anchor"]


def test_remap_checks_a_local_folder_for_a_site(in_tmp: Path) -> None:
    write(in_tmp / "README.md", "[Guide](https://docs.example.com/guide/) and "
                                "[gone](https://docs.example.com/gone/)\n")
    write(in_tmp / "site" / "guide" / "index.html", PAGE)
    code, out, _ = cli("audit", "README.md", "--offline", "--format", "json",
                       "--remap", "https://docs\\.example\\.com/(.*) site/$1")
    links = {link["url"]: link for link in json.loads(out)["links"]}
    assert links["https://docs.example.com/guide/"]["status"] == "alive"
    assert links["https://docs.example.com/gone/"]["status"] == "dead"
    assert links["https://docs.example.com/gone/"]["checked_as"] == "site/gone/"
    assert code == 1


async def test_remap_checks_a_staging_host_for_production(in_tmp: Path, server: Server) -> None:
    doc = write(in_tmp / "a.md", "[Guide](https://docs.example.com/guide)\n")
    staging = server.url("/$1")
    cfg = loopback(remap=(f"https://docs\\.example\\.com/(.*) {staging}",))
    result = await run_audit([str(doc)], cfg)
    check = result.checks["https://docs.example.com/guide"]
    assert check.status is LinkStatus.ALIVE and check.checked_as == server.url("/guide")
    assert [path for _host, path, _h in server.seen] == ["/guide"]


@pytest.mark.parametrize("spec", ["only-one-word", "a b c", "( x", r"(a) \2", "a $3"])
def test_bad_remap_is_one_line_naming_it(in_tmp: Path, spec: str) -> None:
    with pytest.raises(ValueError, match="REGEX REPLACEMENT|regular expression|replacement"):
        parse_remap(spec)
    write(in_tmp / "a.md", "[x](b.md)\n")
    code, _out, err = cli("audit", "a.md", "--offline", "--remap", spec)
    assert code == 2 and "remap" in err and "Traceback" not in err


# -- --root-dir, --base-url -------------------------------------------------------------------


def test_root_dir_resolves_root_relative_links(in_tmp: Path) -> None:
    write(in_tmp / "docs" / "a.md", "[Page](/page.md) and [missing](/missing.md)\n")
    write(in_tmp / "site" / "page.md", "# Page\n")
    _code, out, _ = cli("audit", "docs", "--offline", "--format", "json")
    dead = {f["message"] for f in json.loads(out)["findings"]}
    assert "no such file: page.md" in dead  # the inputs' root: the working directory
    write(in_tmp / "linkaudit.toml", 'root-dir = "site"\n')  # the config key
    _code, out, _ = cli("audit", "docs", "--offline", "--format", "json")
    dead = {f["message"] for f in json.loads(out)["findings"]}
    assert dead == {"no such file: site/missing.md"}


def test_a_link_never_leaves_the_root_even_through_a_symbolic_link(in_tmp: Path) -> None:
    outside = in_tmp.parent / f"{in_tmp.name}-outside"
    write(outside / "secret.md", "# Secret\n")
    (in_tmp / "docs").mkdir()
    (in_tmp / "docs" / "shortcut").symlink_to(outside, target_is_directory=True)
    write(in_tmp / "docs" / "a.md", "[via link](shortcut/secret.md#secret) "
                                    f"[climbing](../../{outside.name}/secret.md)\n")
    _code, out, _ = cli("audit", "docs", "--offline", "--format", "json")
    links = {link["url"]: link for link in json.loads(out)["links"]}
    assert links["docs/shortcut/secret.md#secret"]["status"] == "skipped"
    assert "symbolic link" in links["docs/shortcut/secret.md#secret"]["error"]
    climbing = (outside / "secret.md").as_posix()  # outside the working directory: absolute
    assert links[climbing]["status"] == "skipped"


async def test_base_url_resolves_root_relative_links_of_exported_html(
    in_tmp: Path, server: Server
) -> None:
    doc = write(in_tmp / "export" / "page.html",
                '<p><a href="/about">About</a> <a href="local.html">here</a></p>')
    write(in_tmp / "export" / "local.html", "<p>x</p>")
    result = await run_audit([str(doc)], loopback(base_url=server.url("/")))
    assert result.checks[server.url("/about")].status is LinkStatus.ALIVE
    assert result.checks["export/local.html"].status is LinkStatus.ALIVE  # relative: local
    code, _out, err = cli("audit", str(doc), "--offline", "--base-url", "not-a-url")
    assert code == 2 and "--base-url: expected an http(s) URL" in err  # named as typed


# -- --accept ---------------------------------------------------------------------------------


def test_parse_statuses_reads_lychee_ranges() -> None:
    assert parse_statuses("200..=204, 403") == frozenset({200, 201, 202, 203, 204, 403})
    assert parse_statuses("200..203") == frozenset({200, 201, 202})  # Rust: end excluded
    assert parse_statuses("400-401") == frozenset({400, 401})
    assert parse_statuses("..=101") == frozenset({100, 101})
    assert parse_statuses("598..") == frozenset({598, 599})
    for bad in ("99", "600", "abc", "300..=200"):
        with pytest.raises(ValueError):
            parse_statuses(bad)


async def test_accept_counts_a_status_alive_on_every_host(in_tmp: Path, server: Server) -> None:
    doc = write(in_tmp / "a.md", f"[Bot wall]({server.url('/forbidden')})\n")
    result = await run_audit([str(doc)], loopback())
    assert result.checks[server.url("/forbidden")].status is LinkStatus.BLOCKED
    cfg = merge({}, {"accept": "200..=299,403"}, environ={})
    result = await run_audit([str(doc)], loopback(accept=cfg.network.accept))
    assert result.checks[server.url("/forbidden")].status is LinkStatus.ALIVE
    code, _out, err = cli("audit", str(doc), "--offline", "--accept", "2xx")
    assert code == 2 and "accept" in err


# -- --github-token, GITHUB_TOKEN --------------------------------------------------------------


class MapResolver(AbstractResolver):
    """Resolves given names to loopback addresses (no real DNS)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=self.names.get(host, host), port=port,
                              family=socket.AF_INET, proto=0, flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


def test_github_token_comes_from_the_flag_the_file_or_the_environment() -> None:
    assert merge({}, {}, environ={"GITHUB_TOKEN": "ghs_env"}).network.github_token == "ghs_env"
    both = {"GITHUB_TOKEN": "ghs_env", "LINKAUDIT_GITHUB_TOKEN": "ghs_action"}
    assert merge({}, {}, environ=both).network.github_token == "ghs_action"
    assert merge({}, {"github_token": "ghp_flag"}, environ=both).network.github_token == "ghp_flag"
    assert merge({}, {"github_token": "env:MY_PAT"},
                 environ={"MY_PAT": "ghp_pat"}).network.github_token == "ghp_pat"


async def test_github_token_goes_to_github_over_https_only(in_tmp: Path) -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("github.com", "api.github.com").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    secure = await start(ssl_context=server_ctx)
    plain = await start()
    try:
        cfg = loopback(github_token="ghp_s3cret")
        names = {"github.com": "127.0.0.1", "api.github.com": "127.0.0.1",
                 "other.org": "127.0.0.1", "raw.github.com.evil.org": "127.0.0.1"}
        urls = [secure.url("/o/r", "github.com"), secure.url("/repos/o/r", "api.github.com"),
                plain.url("/x", "other.org"), plain.url("/y", "github.com"),
                plain.url("/z", "raw.github.com.evil.org")]
        doc = write(in_tmp / "a.md", "\n\n".join(f"[{n}]({u})" for n, u in enumerate(urls)))
        client = AiohttpClient(cfg.network, resolver=MapResolver(names), ssl_context=client_ctx)
        try:
            result = await run_audit([str(doc)], cfg, client=client)
        finally:
            await client.close()
    finally:
        await secure.runner.cleanup()
        await plain.runner.cleanup()
    assert all(c.status is LinkStatus.ALIVE for c in result.checks.values()), result.checks
    assert [h.get("Authorization") for _host, _path, h in secure.seen] == [
        "Bearer ghp_s3cret", "Bearer ghp_s3cret"]
    assert len(plain.seen) == 3 and all("Authorization" not in h for *_, h in plain.seen)


# -- --insecure --------------------------------------------------------------------------------


async def test_insecure_accepts_an_invalid_certificate_and_says_so(in_tmp: Path) -> None:
    ca = trustme.CA()  # trusted by nobody
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    secure = await start(ssl_context=ctx)
    try:
        doc = write(in_tmp / "a.md", f"[Self-signed]({secure.url('/page')})\n")
        strict = await run_audit([str(doc)], loopback())
        lax = await run_audit([str(doc)], loopback(insecure=True))
    finally:
        await secure.runner.cleanup()
    assert strict.checks[secure.url("/page")].status is LinkStatus.NETWORK_ERROR
    assert not any(p.kind == "insecure" for p in strict.problems)
    assert lax.checks[secure.url("/page")].status is LinkStatus.ALIVE
    assert any(p.kind == "insecure" and "not verified" in p.message for p in lax.problems)


def test_insecure_and_the_other_keys_are_config_keys(in_tmp: Path) -> None:
    (in_tmp / "site").mkdir()
    path = write(in_tmp / "linkaudit.toml", "\n".join([
        "insecure = true", 'accept = [403, "200..=204"]', 'remap = ["a b"]',
        'exclude-path = ["old/**"]', 'root-dir = "site"', 'base-url = "https://example.org"',
        "images = false", 'check-fragments = "all"', 'github-token = "env:PAT"', ""]))
    values = load_config(path, environ={"PAT": "ghp_x"})
    cfg = merge(values, {}, environ={})
    assert cfg.network.insecure and cfg.network.accept == frozenset({403, 200, 201, 202, 203, 204})
    assert cfg.links.remap == ("a b",) and cfg.links.exclude_path == ("old/**",)
    assert cfg.links.root_dir == in_tmp / "site" and cfg.links.base_url == "https://example.org"
    assert cfg.links.images is False and cfg.links.check_fragments is FragmentMode.ALL
    assert cfg.network.github_token == "ghp_x"
    for line, message in (("accept = [99]", "100-599"), ('remap = ["x"]', "REGEX REPLACEMENT"),
                          ('base-url = "example.org"', r"an http\(s\) URL"),
                          ('check-fragments = "some"', "local, all, none")):
        write(in_tmp / "linkaudit.toml", line + "\n")
        with pytest.raises(ConfigError, match=message):
            load_config(in_tmp / "linkaudit.toml", environ={})


# -- remote fragments ---------------------------------------------------------------------------


async def test_remote_fragments_are_checked_only_when_asked(in_tmp: Path, server: Server) -> None:
    doc = write(in_tmp / "a.md", "\n\n".join([
        f"[ok]({server.url('/guide#present')})", f"[named]({server.url('/guide#named')})",
        f"[typo]({server.url('/guide#presnt')})", f"[top]({server.url('/guide#top')})",
        f"[text]({server.url('/guide#:~:text=Some')})"]))
    default = await run_audit([str(doc)], loopback())
    assert not any(f.rule == "missing-anchor" for f in default.findings)
    asked = await run_audit([str(doc)], loopback(check_fragments=FragmentMode.ALL))
    (typo,) = [f for f in asked.findings if f.rule == "missing-anchor"]
    assert typo.line == 5 and typo.column == 1 and "did you mean #present?" in typo.message
    assert len([s for s in server.seen if s[1] == "/guide"]) == 2  # one request per run


async def test_a_page_cut_at_the_body_cap_is_not_judged(in_tmp: Path, server: Server) -> None:
    doc = write(in_tmp / "a.md", f"[late]({server.url('/huge#late')})\n")
    cfg = loopback(check_fragments=FragmentMode.ALL, max_body_bytes=1024)
    result = await run_audit([str(doc)], cfg)
    assert not any(f.rule == "missing-anchor" for f in result.findings)
    assert any(s.rule == "missing-anchor" and "too large" in s.reason for s in result.skips)


async def test_a_web_page_checks_its_own_fragments_when_asked(server: Server) -> None:
    async def article(request: web.Request) -> web.StreamResponse:
        return web.Response(text=PAGE.replace("<p>", '<p><a href="#present">up</a> '
                                              '<a href="#absent">gone</a>'),
                            content_type="text/html")

    site = await start(article, host="127.0.0.3")
    try:
        url = site.url("/article", "127.0.0.3")
        default = await run_audit([url], loopback())
        asked = await run_audit([url], loopback(check_fragments=FragmentMode.ALL))
    finally:
        await site.runner.cleanup()
    assert default.documents and not any(f.rule == "missing-anchor" for f in default.findings)
    assert [f.message.split(": ")[0] for f in asked.findings if f.rule == "missing-anchor"] == [
        f"{url}#absent"]


# -- mail and other schemes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("mailto:docs@example.org", LinkStatus.SKIPPED),
        ("mailto:a@example.org,b@example.co.uk?subject=Hi%20there", LinkStatus.SKIPPED),
        ("mailto:Jos%C3%A9@exämple.org", LinkStatus.SKIPPED),
        ("mailto:?subject=no-address", LinkStatus.SKIPPED),  # RFC 6068 allows it
        ("mailto:docs-at-example.org", LinkStatus.INVALID),
        ("mailto:docs@", LinkStatus.INVALID),
        ("mailto:a@b@example.org", LinkStatus.INVALID),
        ("mailto:docs@example", LinkStatus.INVALID),
    ],
)
def test_mailto_syntax(url: str, status: LinkStatus) -> None:
    assert check_mailto(url).status is status


def test_other_schemes_are_skipped_with_the_reason_and_counted(in_tmp: Path) -> None:
    write(in_tmp / "a.html", '<a href="tel:+15555550100">call</a> <a href="ftp://x.org/f">f</a> '
                             '<a href="javascript:void(0)">js</a> <a href="irc://irc.x.org/d">i</a>')
    _code, out, _ = cli("audit", "a.html", "--offline", "--format", "json")
    report = json.loads(out)
    reasons = {link["url"]: link["error"] for link in report["links"]}
    assert reasons["tel:+15555550100"].startswith("tel: links are not checked")
    assert reasons["ftp://x.org/f"].startswith("ftp: links are not checked")
    assert reasons["javascript:void(0)"].startswith("javascript: links are not checked")
    assert report["summary"]["status"]["skipped"] == 4


def test_exclude_skips_local_links_too_saying_which_pattern(in_tmp: Path) -> None:
    write(in_tmp / "a.md", "[old](archive/old.md) [new](new.md)\n")
    _code, out, _ = cli("audit", "a.md", "--offline", "--format", "json",
                        "--exclude", "^archive/")
    links = {link["url"]: link for link in json.loads(out)["links"]}
    assert links["archive/old.md"]["status"] == "skipped"
    assert links["archive/old.md"]["error"] == "excluded by --exclude '^archive/'"
    assert links["new.md"]["status"] == "dead"


def test_a_missing_root_dir_is_a_usage_error(in_tmp: Path) -> None:
    write(in_tmp / "a.md", "[x](/b.md)\n")
    code, _out, err = cli("audit", "a.md", "--offline", "--root-dir", "no-such-folder")
    assert code == 2 and "--root-dir: no-such-folder: no such folder" in err
    code, _out, err = cli("audit", "a.md", "--offline", "--root-dir", "a.md")
    assert code == 2 and "--root-dir: a.md: not a folder" in err
