"""Scale out: one audit's link checks spread over worker processes or a Dask cluster.

`check_urls` is the check stage in any home (see `linkaudit.scale.run`); `plan_shards` is the
pure shard plan; the executors are the homes (`InProcessExecutor`, `ProcessExecutor`,
`DaskExecutor`, the last imported only when asked for, since Dask is an optional extra).
"""

from linkaudit.scale.inprocess import InProcessExecutor
from linkaudit.scale.interface import (
    MAX_SHARD_ATTEMPTS,
    DaskMissing,
    Executor,
    ExecutorError,
    ResultSink,
    SchedulerUnreachable,
)
from linkaudit.scale.plan import (
    DEFAULT_LATENCY_S,
    SHARDS_PER_SLOT,
    HostWork,
    Shard,
    ShardPlan,
    plan_shards,
    politeness_bound,
)
from linkaudit.scale.processes import ProcessExecutor
from linkaudit.scale.run import (
    CheckRun,
    check_urls,
    host_work,
    make_executor,
    measured_latencies,
    parse_scheduler,
    parse_workers,
)

__all__ = [
    "DEFAULT_LATENCY_S",
    "MAX_SHARD_ATTEMPTS",
    "SHARDS_PER_SLOT",
    "CheckRun",
    "DaskMissing",
    "Executor",
    "ExecutorError",
    "HostWork",
    "InProcessExecutor",
    "ProcessExecutor",
    "ResultSink",
    "SchedulerUnreachable",
    "Shard",
    "ShardPlan",
    "check_urls",
    "host_work",
    "make_executor",
    "measured_latencies",
    "parse_scheduler",
    "parse_workers",
    "plan_shards",
    "politeness_bound",
]
