"""`ProcessExecutor`: `--workers N` local worker processes, each with its own event loop and client.

Each worker is a `spawn`ed process (a fork would copy the main process's running event loop,
threads and sockets) that receives `(Shard, NetworkConfig, RulesConfig)` over a pipe, checks the
shard with the project's `Checker` on its own loop and `HttpClient` (built once from those
sections, kept for its next shards), and sends results back in batches as they come. A thread
per worker in the main process reads its pipe and hands each message to the run's event loop.

A worker runs one shard at a time; the main process hands the next (largest first) to the first
worker that is free. A worker that dies (killed, out of memory) is noticed by its pipe closing:
the URLs of its shard that had not come back are made a shard again and handed to a fresh
worker, so no result is lost and none is counted twice. After `MAX_SHARD_ATTEMPTS` deaths on the
same shard its remaining links are given up, said as a `Problem` (the run exits 3).

Workers ignore SIGINT: Ctrl-C reaches the whole process group, and it is the main process that
decides to stop (it keeps the partial report), then stops its workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import multiprocessing
import queue
import signal
import threading
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from linkaudit.config import NetworkConfig, RulesConfig
from linkaudit.model import LinkCheck, Problem
from linkaudit.scale.interface import MAX_SHARD_ATTEMPTS, ExecutorError, ResultSink, lost_shard
from linkaudit.scale.plan import Shard

STOP_GRACE_S = 3.0
"""Seconds a worker is given to close its client and exit before it is terminated."""


def _worker_main(conn: Connection) -> None:
    """The worker process: check the shards it is sent until it is sent None (or the pipe
    closes)."""
    import asyncio

    from linkaudit.check import make_client
    from linkaudit.http import HttpClient
    from linkaudit.pipeline import event_loop_factory
    from linkaudit.scale.work import check_shard

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    client: HttpClient | None = None
    # Messages leave through a thread: a send blocks while the pipe is full, and blocking the
    # event loop would stall every request in flight until the main process reads.
    outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(conn, outbox), daemon=True)
    sender.start()
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        try:
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    return
                if message is None:
                    return
                shard, network, rules = message
                try:
                    if client is None:
                        # Built on the worker's loop: an aiohttp client belongs to one loop.
                        client = runner.run(_built(make_client, network))

                    def emit(batch: Sequence[LinkCheck], index: int = shard.index) -> None:
                        outbox.put(("checks", index, batch))

                    runner.run(check_shard(shard, network, rules, client, emit))
                    outbox.put(("done", shard.index))
                except Exception as exc:  # noqa: BLE001 - sent to the main process, which raises it
                    outbox.put(("error", shard.index, _portable(exc)))
        finally:
            outbox.put(None)
            if client is not None:
                with contextlib.suppress(Exception):
                    runner.run(client.close())
            sender.join(STOP_GRACE_S)


def _send_all(conn: Connection, outbox: queue.SimpleQueue[Any]) -> None:
    """The worker's sender thread: every message of `outbox`, in order, until None."""
    while (message := outbox.get()) is not None:
        try:
            conn.send(message)
        except (OSError, ValueError):
            return  # the main process is gone


async def _built(make: Any, config: Any) -> Any:
    return make(config)


def _portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else an `ExecutorError` carrying its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling failure means "send the text instead"
        return ExecutorError(f"a worker failed: {type(exc).__name__}: {exc}")
    return exc


@dataclasses.dataclass(slots=True)
class _Worker:
    ident: int
    process: BaseProcess
    conn: Connection
    shard: int | None = None


class ProcessExecutor:
    """Checks shards in `workers` local processes."""

    def __init__(self, workers: int) -> None:
        self._count = max(1, workers)
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: dict[int, _Worker] = {}
        self._next_ident = 0
        self._queue: asyncio.Queue[tuple[int, Any]] | None = None
        self.description = f"{self._count} worker processes"
        self.deaths = 0
        """Workers that died during the run (for tests and the benchmark)."""

    @property
    def pids(self) -> dict[int, int | None]:
        """Shard index -> the pid of the worker process checking it now."""
        return {w.shard: w.process.pid for w in self._workers.values() if w.shard is not None}

    async def start(self) -> int:
        """Spawn the workers; they import linkaudit while the plan is made."""
        self._queue = asyncio.Queue()
        for _ in range(self._count):
            self._spawn()
        return self._count

    def _spawn(self) -> _Worker:
        assert self._queue is not None
        parent, child = self._ctx.Pipe()
        ident = self._next_ident
        self._next_ident += 1
        process = self._ctx.Process(
            target=_worker_main, args=(child,), name=f"linkaudit-worker-{ident}", daemon=True
        )
        try:
            process.start()
        except OSError as exc:
            raise ExecutorError(f"cannot start a worker process: {exc}") from exc
        finally:
            child.close()
        worker = _Worker(ident, process, parent)
        self._workers[ident] = worker
        loop = asyncio.get_running_loop()
        threading.Thread(
            target=_read, args=(worker, loop, self._queue), name=f"{process.name}-reader",
            daemon=True,
        ).start()
        return worker

    async def run(
        self,
        shards: Sequence[Shard],
        network: NetworkConfig,
        rules: RulesConfig,
        sink: ResultSink,
    ) -> list[Problem]:
        """Hand shards out to free workers until every shard is done or given up."""
        assert self._queue is not None, "start() first"
        problems: list[Problem] = []
        pending: deque[Shard] = deque(shards)
        by_index = {s.index: s for s in shards}
        left: dict[int, set[str]] = {s.index: set(s.urls) for s in shards}
        attempts: dict[int, int] = {}
        open_shards = len(shards)

        def hand_out() -> None:
            for worker in list(self._workers.values()):
                if not pending:
                    return
                if worker.shard is None:
                    shard = pending.popleft()
                    worker.shard = shard.index
                    attempts[shard.index] = attempts.get(shard.index, 0) + 1
                    # If it died meanwhile, its reader says so and the shard goes back.
                    with contextlib.suppress(OSError, ValueError):
                        worker.conn.send((shard, network, rules))

        hand_out()
        while open_shards:
            ident, message = await self._queue.get()
            worker = self._workers.get(ident)
            kind = message[0]
            if kind == "checks":
                index, batch = message[1], message[2]
                fresh = [c for c in batch if c.url in left[index]]
                left[index].difference_update(c.url for c in fresh)
                if fresh:
                    sink.checked(index, fresh)
            elif kind == "done":
                index = message[1]
                if worker is not None:
                    worker.shard = None
                open_shards -= 1
                sink.finished(index)
                hand_out()
            elif kind == "error":
                raise message[2]
            elif kind == "died":
                if worker is None:
                    continue
                del self._workers[ident]
                self.deaths += 1
                code = worker.process.exitcode
                index = worker.shard
                if index is not None:
                    shard = by_index[index]
                    rest = tuple(u for u in shard.urls if u in left[index])
                    if not rest:
                        open_shards -= 1
                        sink.finished(index)
                    elif attempts[index] >= MAX_SHARD_ATTEMPTS:
                        open_shards -= 1
                        problems.append(lost_shard(
                            shard, len(rest),
                            f"its worker died {attempts[index]} times ({_exit(code)})",
                        ))
                    else:
                        pending.appendleft(dataclasses.replace(shard, urls=rest))
                if self.deaths > MAX_SHARD_ATTEMPTS * (len(shards) + self._count):
                    raise ExecutorError(f"worker processes keep dying ({_exit(code)})")
                if pending or open_shards:
                    self._spawn()
                hand_out()
        return problems

    async def close(self) -> None:
        """Ask every worker to stop, then terminate the ones that do not."""
        workers = list(self._workers.values())
        self._workers.clear()
        for worker in workers:
            if worker.shard is not None:
                worker.process.terminate()  # stopped mid-shard (Ctrl-C, an error): no waiting
                continue
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        await asyncio.to_thread(_reap, [w.process for w in workers])
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.close()


def _reap(processes: list[BaseProcess]) -> None:
    """Wait for `processes` to exit, terminating (then killing) the ones that hang."""
    import time

    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join(1.0)
        if process.is_alive():
            process.kill()
            process.join(1.0)


def _read(
    worker: _Worker,
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue[tuple[int, Any]],
) -> None:
    """A reader thread: every message of `worker` into the run's loop, then `died` at EOF."""
    while True:
        try:
            message = worker.conn.recv()
        except Exception:  # noqa: BLE001 - EOF, a reset or a torn message: the worker is gone
            break
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (worker.ident, message))
        except RuntimeError:
            return  # the run's loop is closed: nobody is listening any more
    worker.process.join(5.0)
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(queue.put_nowait, (worker.ident, ("died",)))


def _exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
