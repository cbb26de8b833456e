"""`linkaudit audit ... --plan`: how big a run is and how long it will take, checking nothing.

From the documents alone (and the store, when there is one): the distinct URLs and hosts, the
busiest hosts, the shard plan at the chosen `--workers`, the archive lookups the run would make
(with the batches that answer them), and the time the politeness bound predicts at the chosen
limits. The latency per request is what earlier runs measured for a host (the store's cached
checks) and `DEFAULT_LATENCY_S` for a host never timed; the forecast says which. The CPU a link
costs (`CPU_PER_URL_S`, measured in benchmarks/README.md) gives a second bound for large runs on
few cores. With `--archive dead` the lookups depend on what the check finds: the forecast gives
those known now (the cache knows them dead) and the ceiling (every unchecked link dead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linkaudit.archive.batch import planned_calls
from linkaudit.archive.plan import wants_lookup
from linkaudit.check.cache import cached_check
from linkaudit.config import (
    ArchiveConfig,
    ArchiveMode,
    NetworkConfig,
    RulesConfig,
    StoreConfig,
)
from linkaudit.model import Document
from linkaudit.report._text import plural
from linkaudit.scale.plan import DEFAULT_LATENCY_S, HostWork, ShardPlan, plan_shards
from linkaudit.scale.run import host_work, measured_latencies
from linkaudit.store import Store
from linkaudit.urls import normalize_url

CPU_PER_URL_S = 0.0016
"""CPU seconds one link check costs the checking process (uvloop; benchmarks/README.md)."""
BUSIEST = 5
"""Hosts listed as the busiest."""


@dataclass(frozen=True, slots=True)
class Forecast:
    """The size and predicted time of a run."""

    documents: int
    """Documents read."""
    urls: int
    """Distinct URLs cited."""
    cached: int
    """Of those, fresh in the cache (not checked again)."""
    filtered: int
    """Of those, left out by `--include`/`--exclude` (skipped by a run, never requested)."""
    hosts: int
    """Distinct hosts of the URLs to check."""
    busiest: tuple[HostWork, ...]
    """The hosts that take longest at their own limit."""
    plan: ShardPlan
    """The shard plan at the chosen workers."""
    home: str
    """Where the shards would run."""
    measured_hosts: int
    """Hosts whose latency earlier runs measured."""
    assumed_latency_s: float
    """The latency assumed for the others."""
    cpu_s: float
    """CPU seconds of checking, on one core."""
    archive_mode: ArchiveMode
    """`--archive`."""
    archive_rate_per_min: int
    """`--archive-rate`."""
    archive_known: int
    """Archive lookups known now (and not cached)."""
    archive_known_batches: int
    """Prefix batches among them."""
    archive_known_calls: int
    """Calls planned for them."""
    archive_ceiling: int
    """Lookups if every link not known alive were dead (`--archive dead`)."""
    archive_ceiling_calls: int
    """Calls planned for those."""
    unread_urls: int
    """Article URLs given as inputs: fetched by a run, not by the forecast."""

    @property
    def check_s(self) -> float:
        """The check stage: the politeness bound, or the CPU over the slots, whichever is more."""
        return max(self.plan.bound_s, self.cpu_s / max(1, self.plan.slots))

    def archive_s(self, calls: int) -> float:
        """Seconds `calls` archive calls take at the shared rate."""
        return calls * 60 / self.archive_rate_per_min if self.archive_rate_per_min > 0 else 0.0

    @property
    def predicted_s(self) -> float:
        """Check, then the archive lookups known now."""
        return self.check_s + self.archive_s(self.archive_known_calls)


def build_forecast(
    documents: Sequence[Document],
    network: NetworkConfig,
    store_config: StoreConfig,
    archive: ArchiveConfig,
    rules: RulesConfig,
    store: Store | None,
    *,
    slots: int,
    home: str,
    unread_urls: int = 0,
) -> Forecast:
    """The forecast of auditing `documents` on `slots` slots (see the module), at the network
    section's limits, with the cache of `store` when the store section's `cache` is on, and
    the lookups the archive section (and the rules section's `--as-of`) would make."""
    import re

    from linkaudit.check.checker import filter_reason
    from linkaudit.pipeline import cited_urls

    urls = cited_urls(documents)
    first: dict[str, str] = {}
    for url in urls:
        first.setdefault(normalize_url(url), url)
    include = [re.compile(p) for p in network.include]
    exclude = [re.compile(p) for p in network.exclude]
    filtered = {u for u in first.values() if filter_reason(u, include, exclude) is not None}
    cached: dict[str, Any] = {}
    if store is not None and store_config.cache:
        for key, url in first.items():
            hit = cached_check(store, key, url) if url not in filtered else None
            if hit is not None:
                cached[url] = hit
    fresh = [u for u in first.values() if u not in cached and u not in filtered]
    latencies = measured_latencies(store)
    work = host_work(fresh, network, latencies)
    plan = plan_shards(work, slots=slots, concurrency=network.concurrency)
    busiest = tuple(sorted(work, key=lambda h: (-h.floor_s, h.host))[:BUSIEST])

    known, ceiling = _archive_targets(documents, archive, rules, cached,
                                      store if store_config.cache else None, filtered)
    known_batches, known_calls = planned_calls(known) if known else (0, 0)
    _, ceiling_calls = planned_calls(ceiling) if ceiling else (0, 0)
    return Forecast(
        documents=len(documents),
        urls=len(first),
        cached=len(cached),
        filtered=len(filtered),
        hosts=len(work),
        busiest=busiest,
        plan=plan,
        home=home,
        measured_hosts=sum(1 for h in work if h.measured),
        assumed_latency_s=DEFAULT_LATENCY_S,
        cpu_s=len(fresh) * CPU_PER_URL_S,
        archive_mode=archive.mode,
        archive_rate_per_min=archive.rate_per_min,
        archive_known=len(known),
        archive_known_batches=known_batches,
        archive_known_calls=known_calls,
        archive_ceiling=len(ceiling),
        archive_ceiling_calls=ceiling_calls,
        unread_urls=unread_urls,
    )


def _archive_targets(
    documents: Sequence[Document],
    archive: ArchiveConfig,
    rules: RulesConfig,
    cached: Mapping[str, Any],
    store: Store | None,
    filtered: set[str],
) -> tuple[list[str], list[str]]:
    """(lookups known now, lookups if every link not known alive were dead), minus the ones
    whose answer the store (given only with the cache on) has cached; a link `filtered` out is
    never checked, so never found dead."""
    from linkaudit.archive.plan import lookup_requests

    known = lookup_requests(documents, cached, archive, rules)
    if archive.mode is ArchiveMode.ALL:
        every = lookup_requests(documents, {}, archive, rules)
        known, ceiling = every, every
    elif archive.mode is ArchiveMode.NONE:
        return [], []
    else:
        ceiling = dict(known)
        for doc in documents:
            date = rules.as_of or (doc.date.value if doc.date else None)
            for url in [r.url for r in doc.references if r.url] + [lk.url for lk in doc.links]:
                wanted = wants_lookup(archive.mode, None)
                if url not in cached and url not in ceiling and url not in filtered and wanted:
                    ceiling[url] = date

    def uncached(targets: Mapping[str, dt.date | None]) -> list[str]:
        if store is None:
            return list(targets)
        return [u for u, near in targets.items()
                if store.get_archive(u, near.isoformat() if near else "") is None]

    return uncached(known), uncached(ceiling)


def duration(seconds: float) -> str:
    """`45 s`, `12 min 5 s`, `3 h 20 min`, `2 days 4 h`."""
    s = round(seconds)
    if s < 60:
        return f"{max(seconds, 0):.1f} s" if seconds < 10 else f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86400} days {s % 86400 // 3600} h"


def render_forecast(f: Forecast, network: NetworkConfig) -> str:
    """The forecast as plain lines (also valid Markdown), at most 80 columns for the fixed text;
    the limits it was made at are the network section's."""
    lines = [f"# linkaudit plan: {plural(f.documents, 'document')}, nothing checked", ""]
    apart = [f"{f.cached:,} fresh in the cache"] if f.cached else []
    apart += [f"{f.filtered:,} left out by --include/--exclude"] if f.filtered else []
    lines.append(f"- {plural(f.urls, 'distinct URL')}; {f.urls - f.cached - f.filtered:,} to "
                 f"check on {plural(f.hosts, 'host')}"
                 + (f" ({'; '.join(apart)})" if apart else ""))
    if f.unread_urls:
        lines.append(f"- {plural(f.unread_urls, 'article URL')} given as inputs: their links "
                     "are known only once fetched, and are not counted")
    if f.busiest:
        lines.append("- busiest hosts (time at their own limit):")
        lines.extend(
            f"  - {h.host}: {plural(len(h.urls), 'URL')}, {h.per_host} at a time, "
            f"{duration(h.floor_s)}" for h in f.busiest
        )
    if not f.urls:
        lines.append("- nothing to check: the documents cite no URL")
    elif not f.hosts:
        lines.append("- nothing to check: every URL is "
                     + ("fresh in the cache or left out" if f.filtered else "fresh in the cache"))
    else:
        others = f.hosts - f.measured_hosts
        latency = (f"- latency: {f.assumed_latency_s:g} s a request assumed for "
                   f"{plural(others, 'host')}")
        lines.append(latency + (f"; measured by earlier runs for {f.measured_hosts:,}"
                                if f.measured_hosts else " (no earlier run timed them)"))
        lines.append(f"- check, politeness bound: {duration(f.plan.bound_s)} at --concurrency "
                     f"{network.concurrency}, --per-host {network.per_host}")
        lines.append(f"- check, CPU: about {duration(f.cpu_s)} of one core "
                     f"({CPU_PER_URL_S * 1000:g} ms a link)"
                     + (f", {duration(f.cpu_s / f.plan.slots)} over {f.plan.slots} slots"
                        if f.plan.slots > 1 else ""))
        if f.plan.shards:
            lines.append(f"- shards: {len(f.plan.shards)} in {f.home}, {f.plan.slots} at once, "
                         f"{f.plan.shards[0].concurrency} requests in flight each")
    rate = f"{f.archive_rate_per_min}/min" if f.archive_rate_per_min > 0 else "no limit"
    if f.archive_mode is ArchiveMode.NONE:
        lines.append("- archive: none (--archive none)")
    else:
        batches = plural(f.archive_known_batches, "batch", "batches")
        lines.append(f"- archive (--archive {f.archive_mode.value}, {rate}):")
        lines.append(
            f"  - {plural(f.archive_known, 'lookup')} known now: about "
            f"{plural(f.archive_known_calls, 'call')} ({batches}), "
            f"{duration(f.archive_s(f.archive_known_calls))}"
        )
        if f.archive_ceiling > f.archive_known:
            lines.append(
                f"  - if every unchecked link were dead: "
                f"{plural(f.archive_ceiling, 'lookup')}, about "
                f"{plural(f.archive_ceiling_calls, 'call')}, "
                f"{duration(f.archive_s(f.archive_ceiling_calls))}"
            )
    lines.append(f"- predicted: about {duration(f.predicted_s)} (check, then the archive "
                 "lookups known now)")
    return "\n".join(lines) + "\n"


def forecast_json(f: Forecast, network: NetworkConfig) -> dict[str, Any]:
    """The forecast as a JSON object (`linkaudit.plan/1`), with the network section's limits."""
    return {
        "schema": "linkaudit.plan/1",
        "documents": f.documents,
        "urls": f.urls,
        "cached": f.cached,
        "filtered": f.filtered,
        "hosts": f.hosts,
        "busiest_hosts": [
            {"host": h.host, "urls": len(h.urls), "per_host": h.per_host,
             "latency_s": h.latency_s, "latency_measured": h.measured, "floor_s": h.floor_s}
            for h in f.busiest
        ],
        "assumed_latency_s": f.assumed_latency_s,
        "measured_hosts": f.measured_hosts,
        "concurrency": network.concurrency,
        "per_host": network.per_host,
        "bound_s": f.plan.bound_s,
        "cpu_s": f.cpu_s,
        "shards": len(f.plan.shards),
        "slots": f.plan.slots,
        "home": f.home,
        "check_s": f.check_s,
        "archive": {
            "mode": f.archive_mode.value,
            "rate_per_min": f.archive_rate_per_min,
            "lookups_known": f.archive_known,
            "batches_known": f.archive_known_batches,
            "calls_known": f.archive_known_calls,
            "lookups_ceiling": f.archive_ceiling,
            "calls_ceiling": f.archive_ceiling_calls,
        },
        "predicted_s": f.predicted_s,
        "unread_urls": f.unread_urls,
    }
