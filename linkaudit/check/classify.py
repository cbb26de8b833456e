"""From what the network said to one `LinkStatus`, truthfully: a pure function of its inputs.

The classes (see `linkaudit.model.LinkStatus`):

- `alive`: a 2xx page that is not a soft 404 nor a bot wall; also a temporary redirect (302, 303,
  307) that ends on such a page (the chain is kept), and any status the host policy accepts.
- `redirected` / `moved-offsite`: the chain holds a permanent hop (301, 308) and ends on a live
  page within the same registrable domain / another one.
- `soft-404`: a 2xx page whose title, main heading or (short) text says it is not found, in one of
  several languages; or a redirect from a deep path to the site's home, search or login page.
- `dead`: 404, 410, or a DNS name that does not exist.
- `server-error`: 5xx (after retries), a redirect without a Location.
- `timeout`, `network-error`: no answer in time; refused, reset, TLS failure. A redirect loop or
  more than `max_redirects` hops is a `network-error` too: the page cannot be reached, but that
  does not prove it is gone (cookie and geo gates loop for clients without a browser), and there
  is no sign of a bot wall either.
- `blocked`: 401, 402, 403, 429 after retries, 451, 999 (LinkedIn), other refusing 4xx, a
  `cf-mitigated: challenge` header, or a bot-wall page (Cloudflare, Akamai, PerimeterX, DataDome,
  captcha): unverifiable, never called dead.
- `invalid`: 400 and 414 (the server rejects the URL itself), odd statuses.
- `skipped`: decided before any request (guard, filters, replay); not decided here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from linkaudit.http import FetchError, HttpResponse
from linkaudit.model import Hop, LinkStatus
from linkaudit.urls import same_site

PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_NOT_FOUND = re.compile(
    r"^\s*404\b|\b(?:error 404|404 error|404 page|page not found|not found"
    r"|page (?:does not|doesn't|cannot be|could not be|can't be) (?:exist|found)"
    r"|no longer (?:exists|available)|this page (?:is|has been) (?:removed|deleted))\b"
    r"|seite (?:wurde )?nicht gefunden|seite existiert nicht"
    r"|page (?:introuvable|non trouv[ée]e|inexistante)|cette page n'existe pas"
    r"|p[áa]gina no (?:encontrada|existe)|no se (?:ha podido encontrar|encontr[óo]) la p[áa]gina"
    r"|pagina non (?:trovata|esistente)|p[áa]gina n[ãa]o (?:encontrada|existe)"
    r"|pagina niet gevonden|sidan (?:kunde inte hittas|hittades inte)|strona nie (?:zosta[łl]a )?"
    r"(?:znaleziona|istnieje)|страница не найдена|ページが見つかりません|お探しのページ"
    r"|页面不存在|找不到(?:该|此)?页面|頁面不存在|페이지를 찾을 수 없",
    re.IGNORECASE,
)
SHORT_PAGE_CHARS = 1500
"""Body text is judged only when shorter than this (an error page), never on a long article
that happens to discuss 404s; so a hyperlink's page is read no further."""

# Markers of bot-challenge pages (Cloudflare, Akamai, PerimeterX, DataDome, Incapsula, captchas),
# matched as lower-case substrings: a regex alternation over a 20 KB body costs milliseconds per
# page, which matters at thousands of pages per run.
_BOT_WALL_MARKERS = (
    "just a moment...", "attention required! | cloudflare", "cf-browser-verification",
    "cf_chl_opt", "/cdn-cgi/challenge-platform/", "checking if the site connection is secure",
    "checking your browser before accessing", "verify you are human", "verifying you are human",
    "are you a robot", "px-captcha", "captcha-delivery.com", "errors.edgesuite.net",
    "incapsula incident", "request unsuccessful. incapsula", "class=\"g-recaptcha\"",
    "hcaptcha.com/1/api.js", "unusual traffic from your computer",
)
_BOT_WALL_BYTES = tuple(m.encode() for m in _BOT_WALL_MARKERS)
# Every marker contains one of these: on a page none of them is in (nearly every page), eleven
# substring searches instead of eighteen.
_BOT_WALL_HINTS = (b"captcha", b"incapsula", b"verif", b"checking ", b"just a moment",
                   b"cloudflare", b"cf_chl_opt", b"/cdn-cgi/", b"robot", b"edgesuite",
                   b"unusual traffic")
_BOT_WALL_HEAD = 20_000

_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.php", "/home", "/en", "/en/", "/us/"})
_GATE_PATH = re.compile(
    r"^/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?:search|login|log-in|signin|sign-in|account/login|"
    r"accounts/login|auth/login|users/sign_in|404|not-found|notfound|error)(?:[/.?]|$)",
    re.IGNORECASE,
)


# Every phrase of `_NOT_FOUND` contains one of these (lower-case): a cheap test before the regex.
# " found" with its space: every phrase has the word after a space ("not found", "be found"),
# and prose is full of "foundry", "founded", "founder", on which the regex costs 0.2 ms a page.
_NOT_FOUND_HINTS = ("404", " found", "exist", "no longer", "removed", "deleted", "gefunden",
                    "introuvable", "trouv", "encontr", "trovata", "esistente", "gevonden",
                    "hitta", "znalezion", "istnieje", "найдена", "見つかりません", "お探し",
                    "不存在", "找不到", "찾을 수 없")


def _not_found(text: str) -> bool:
    low = text.lower()
    return any(h in low for h in _NOT_FOUND_HINTS) and bool(_NOT_FOUND.search(text))


def says_not_found(title: str | None, headings: Sequence[str], text: str) -> bool:
    """True when a page's title or main heading (or short text) says it is not found."""
    if title and _not_found(title):
        return True
    if any(_not_found(h) for h in headings[:2]):
        return True
    return len(text) < SHORT_PAGE_CHARS and _not_found(text)


def is_challenge_header(response: HttpResponse) -> bool:
    """A bot challenge announced in the headers (`cf-mitigated: challenge`, DataDome, AWS WAF)."""
    if (response.header("cf-mitigated") or "").strip().lower() == "challenge":
        return True
    return bool(response.header("x-datadome")) or response.header("x-amzn-waf-action") == "captcha"


def is_bot_wall(response: HttpResponse, title: str | None = None) -> bool:
    """A bot challenge: a challenge header, or a known challenge page body."""
    if is_challenge_header(response):
        return True
    # The markers are ASCII: bytes lowered in C need no decoding of the page.
    head = response.body[:_BOT_WALL_HEAD].lower()
    low_title = title.lower() if title else ""
    if (b"access denied" in head or "access denied" in low_title) and (
        b"reference #" in head or "reference #" in low_title
    ):
        return True  # Akamai's block page
    return (
        any(hint in head for hint in _BOT_WALL_HINTS)
        and any(marker in head for marker in _BOT_WALL_BYTES)
    ) or any(marker in low_title for marker in _BOT_WALL_MARKERS)


def is_gate_redirect(original: str, final: str) -> bool:
    """A redirect from a deep path to the site's home, search, login or error page."""
    try:
        src, dst = urlsplit(original), urlsplit(final)
    except ValueError:
        return False
    src_path = src.path or "/"
    if src_path in _HOME_PATHS:
        return False  # the home page redirecting to itself elsewhere is not a soft 404
    return dst.path in _HOME_PATHS or bool(_GATE_PATH.match(dst.path or "/"))


def classify_error(error: FetchError) -> tuple[LinkStatus, str]:
    """A transport failure's class and one-line reason."""
    return error.kind, str(error) or type(error).__name__


def classify_response(
    url: str,
    response: HttpResponse,
    hops: Sequence[Hop],
    *,
    accept: frozenset[int] = frozenset(),
    title: str | None = None,
    headings: Sequence[str] = (),
    text: str = "",
) -> tuple[LinkStatus, str | None]:
    """The class of the final response after `hops`, and a reason for anything but alive.

    `title`, `headings` and `text` come from the page (`linkaudit.check.page`) when it is HTML.
    """
    status = response.status
    if status in accept:
        return LinkStatus.ALIVE, None
    # A 404 page may carry a captcha widget (a comment form): only a challenge *header* turns a
    # 404/410 into blocked. Every other status is checked against the page too.
    challenge = is_challenge_header(response) if status in (404, 410) else is_bot_wall(
        response, title)
    if challenge:
        return LinkStatus.BLOCKED, f"HTTP {status}: bot challenge"
    if 200 <= status < 300:
        final = hops[-1].location if hops else url
        if says_not_found(title, headings, text):
            return LinkStatus.SOFT_404, f"HTTP {status} but the page says it is not found"
        if hops and is_gate_redirect(url, final):
            return LinkStatus.SOFT_404, f"redirected to the site's home, search or login: {final}"
        if any(h.status in PERMANENT_REDIRECTS for h in hops):
            if same_site(url, final):
                return LinkStatus.REDIRECTED, None
            return LinkStatus.MOVED_OFFSITE, None
        return LinkStatus.ALIVE, None
    if status in REDIRECT_STATUSES:
        return LinkStatus.SERVER_ERROR, f"HTTP {status} without a usable Location"
    if status in (404, 410):
        return LinkStatus.DEAD, f"HTTP {status}"
    if status in (400, 414):
        return LinkStatus.INVALID, f"HTTP {status}: the server rejects this URL"
    if status == 408:
        return LinkStatus.TIMEOUT, "HTTP 408 (request timeout)"
    if status == 429:
        return LinkStatus.BLOCKED, "HTTP 429: still rate-limited after retries"
    if status == 999 or 400 <= status < 500:
        return LinkStatus.BLOCKED, f"HTTP {status}: the server refuses to show the page"
    if 500 <= status < 600:
        return LinkStatus.SERVER_ERROR, f"HTTP {status}"
    return LinkStatus.INVALID, f"unexpected HTTP status {status}"
