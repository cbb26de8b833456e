"""Save Page Now 2: ask the archive to capture a live, never-archived source (opt-in only).

`POST {base}/save` with the form `url=...`, the header `Authorization: LOW <access>:<secret>` and
`Accept: application/json` answers a `job_id`; `GET {base}/save/status/<job_id>` is then polled
(with the injected `sleep`) until `success` or `error`. Formats are quoted from
internetarchive/sandcrawler `python/tests/test_savepagenow.py`
(see `shared/reference/archive-apis.md`).

NOTE: errors such as `error:too-many-daily-captures` may come with HTTP 200, so the answer's
`status_ext` is read, not only the HTTP status. The keys come from the environment only
(`LINKAUDIT_IA_ACCESS_KEY`/`LINKAUDIT_IA_SECRET_KEY`, else `IA_ACCESS_KEY`/`IA_SECRET_KEY`) and
are sent to the archive's own host only: the status URL is built from `base_url`, never taken
from an answer. Every request goes through the run's network layer, so it takes a token from
the archive's `TokenBucket` and waits out the archive's pauses; it is never retried (a capture
asked twice is two captures).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from linkaudit.archive.interface import SaveResult, SaveState, clean_text, parse_timestamp
from linkaudit.check.fetch import Fetcher
from linkaudit.check.limits import Sleep
from linkaudit.check.retry import RetryPolicy
from linkaudit.http import FetchError

_NO_RETRY = RetryPolicy(retries=0)

ENV_KEYS = (
    ("LINKAUDIT_IA_ACCESS_KEY", "LINKAUDIT_IA_SECRET_KEY"),
    ("IA_ACCESS_KEY", "IA_SECRET_KEY"),
)
"""Environment variable pairs read for the keys, in order of preference."""


def keys_from_env(env: Mapping[str, str]) -> tuple[str, str] | None:
    """(access key, secret) from the first complete pair of `ENV_KEYS`, or None."""
    for access_name, secret_name in ENV_KEYS:
        access, secret = env.get(access_name, "").strip(), env.get(secret_name, "").strip()
        if access and secret:
            return access, secret
    return None


class SavePageNow:
    """A Save Page Now 2 client over the run's network layer (and so the archive's rate limit)."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        base_url: str,
        keys: tuple[str, str] | None,
        sleep: Sleep = asyncio.sleep,
        poll_interval_s: float = 5.0,
        max_polls: int = 24,
    ) -> None:
        self.fetcher = fetcher
        """The network layer (the archive's host is paced by its rate limit there)."""
        self.base_url = base_url.rstrip("/")
        """The archive's root."""
        self.poll_interval_s = poll_interval_s
        """Wait between status polls."""
        self.max_polls = max_polls
        """Polls before the job is reported as still pending."""
        self._keys = keys
        self._sleep = sleep

    def _headers(self) -> dict[str, str]:
        assert self._keys is not None
        access, secret = self._keys
        return {"Authorization": f"LOW {access}:{secret}", "Accept": "application/json"}

    async def _call(self, method: str, url: str, data: Mapping[str, str] | None = None) -> Any:
        response, _ = await self.fetcher.request(
            method, url, policy=_NO_RETRY, headers=self._headers(), data=data, max_body=64 * 1024
        )
        if response.status == 429:
            raise _SaveFailed("error:too-many-requests", "the archive asked to slow down (429)")
        if response.status in (401, 403):
            raise _SaveFailed(
                "error:unauthorized", f"the keys were refused (HTTP {response.status})"
            )
        try:
            return json.loads(response.body.decode("utf-8", "replace"))
        except ValueError:
            raise _SaveFailed(None, f"not a JSON answer (HTTP {response.status})") from None

    async def save(self, url: str) -> SaveResult:
        """Capture `url` now and poll until the job ends (or `max_polls` is reached)."""
        if self._keys is None:
            return SaveResult(
                url,
                SaveState.SKIPPED,
                message="no Save Page Now keys: set LINKAUDIT_IA_ACCESS_KEY and "
                "LINKAUDIT_IA_SECRET_KEY",
            )
        try:
            answer = await self._call("POST", f"{self.base_url}/save", {"url": url})
            job_id = str(answer.get("job_id") or "") if isinstance(answer, dict) else ""
            if not job_id:
                ext = answer.get("status_ext") if isinstance(answer, dict) else None
                msg = answer.get("message") if isinstance(answer, dict) else None
                return SaveResult(
                    url,
                    SaveState.ERROR,
                    status_ext=clean_text(str(ext), 80) if ext else None,
                    message=clean_text(str(msg or "no job id")),
                )
            for poll in range(self.max_polls):
                if poll:
                    await self._sleep(self.poll_interval_s)
                status = await self._call("GET", f"{self.base_url}/save/status/{job_id}")
                if not isinstance(status, dict):
                    raise _SaveFailed(None, "status answer is not an object")
                result = self._interpret(url, job_id, status)
                if result is not None:
                    return result
            return SaveResult(
                url,
                SaveState.PENDING,
                job_id=job_id,
                message=f"still pending after {self.max_polls} polls",
            )
        except _SaveFailed as exc:
            return SaveResult(url, SaveState.ERROR, status_ext=exc.status_ext, message=exc.message)
        except FetchError as exc:
            return SaveResult(url, SaveState.ERROR, message=f"archive unreachable: {exc.kind}")

    def _interpret(self, url: str, job_id: str, status: dict[str, Any]) -> SaveResult | None:
        match status.get("status"):
            case "success":
                ts = str(status.get("timestamp") or "")
                original = str(status.get("original_url") or url)
                return SaveResult(
                    url,
                    SaveState.SUCCESS,
                    job_id=job_id,
                    snapshot_url=f"{self.base_url}/web/{ts}/{original}" if ts else None,
                    timestamp=parse_timestamp(ts),
                    message="captured",
                )
            case "error":
                return SaveResult(
                    url,
                    SaveState.ERROR,
                    job_id=job_id,
                    status_ext=clean_text(str(status.get("status_ext") or ""), 80) or None,
                    message=clean_text(str(status.get("message") or "the capture failed")),
                )
            case _:
                return None  # pending (or unknown): poll again


class _SaveFailed(Exception):
    def __init__(self, status_ext: str | None, message: str) -> None:
        super().__init__(message)
        self.status_ext = status_ext
        self.message = message
