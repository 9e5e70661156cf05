"""Run many jobs: on local worker processes, or on a Dask cluster whose tasks run the same
local code. Rows come back as they finish, one per job, whatever happens to the workers.

Local (:class:`Pool`): ``workers`` processes ``python -m symnum.batch.worker``, each warm
(SymPy and symnum loaded) before it takes a job, one job at a time. Each answer runs under
its own limits in its worker (SIGALRM, memory watchdog, RLIMIT_DATA: :mod:`symnum.edge`); the
runner also kills a worker still busy ``GRACE_S`` after the answer's time limit, or finds
one dead, and gives that job ``gave up``, then starts a replacement.

Dask (``scheduler="tcp://HOST:PORT"``): the jobs go in chunks to the cluster; each task
grades its chunk on a :class:`Pool` of one worker process kept warm in the Dask worker
(Dask runs tasks in threads, where no SIGALRM can fire). Verdicts are the same either way.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..core.errors import SymnumError
from .jobs import GradeLimits, Job, Row, gave_up
from .worker import READY

GRACE_S = 5.0  # after an answer's time limit, its worker has this long to answer
START_S = 120.0  # a worker that is not ready this long after it started has failed
STARTS_FAILED = 3  # workers that die before they are ready, in a row: the runner stops
CHUNK = (1, 40)  # jobs per Dask task: at least, at most
TASKS_PER_WORKER = 4  # Dask tasks per Dask worker thread (load balance against overhead)
STOPPED = "the worker grading this answer stopped (out of memory or killed)"


@dataclass
class _Worker:
    process: subprocess.Popen
    errors: IO[bytes]
    buffer: bytes = b""
    ready: bool = False
    started: float = field(default_factory=time.monotonic)
    job: Job | None = None
    deadline: float = 0.0
    readable: bool = False  # the last wait found output to read
    ended: bool = False  # its output closed: it exited or was killed

    def stop(self) -> None:
        """Kill it (if alive) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            if stream is not None:
                stream.close()


def _environment() -> dict[str, str]:
    """The workers import this very symnum, use one thread each."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


class Pool:
    """``size`` local worker processes grading under ``limits``; reusable for several
    :meth:`run` calls, :meth:`close` (or ``with``) stops them."""

    command = (sys.executable, "-m", "symnum.batch.worker")  # + SECONDS MEMORY

    def __init__(self, size: int, limits: GradeLimits, grace: float = GRACE_S) -> None:
        self.size, self.limits, self.grace = size, limits, grace
        self.workers: list[_Worker] = []
        self.failed_starts = 0

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker: stdin closed, then killed if it has not ended."""
        for worker in self.workers:
            if worker.process.stdin is not None:
                try:
                    worker.process.stdin.close()
                except OSError:
                    pass
        for worker in self.workers:
            try:
                worker.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
            worker.stop()
        self.workers.clear()

    def _spawn(self) -> _Worker:
        seconds = "off" if self.limits.seconds is None else repr(self.limits.seconds)
        memory = "off" if self.limits.memory is None else str(self.limits.memory)
        errors = tempfile.TemporaryFile()
        process = subprocess.Popen(
            [*self.command, seconds, memory],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
            env=_environment(), start_new_session=True)  # Ctrl-C goes to the runner only
        worker = _Worker(process, errors)
        self.workers.append(worker)
        return worker

    def _replace(self, worker: _Worker, selector: selectors.BaseSelector) -> None:
        selector.unregister(worker.process.stdout)
        if not worker.ready:
            self.failed_starts += 1
            if self.failed_starts >= STARTS_FAILED:
                worker.errors.seek(0)
                tail = worker.errors.read().decode("utf-8", "replace").strip().splitlines()
                worker.stop()
                raise SymnumError("could not start a grading worker: "
                                  + (tail[-1] if tail else "it ended at once"))
        worker.stop()
        self.workers.remove(worker)
        selector.register(self._spawn().process.stdout, selectors.EVENT_READ)

    def run(self, jobs: Iterable[Job]) -> Iterator[Row]:
        """Grade ``jobs``: one row each, as they finish."""
        pending = deque(jobs)
        if not pending and not self.workers:
            return  # nothing to grade: no worker started for it
        selector = selectors.DefaultSelector()
        while len(self.workers) < min(self.size, max(1, len(pending))):
            self._spawn()
        for worker in self.workers:
            selector.register(worker.process.stdout, selectors.EVENT_READ)
        try:
            while True:
                finished: list[Row] = []
                for worker in list(self.workers):
                    finished += self._settle(worker, selector)
                for worker in self.workers:  # the next jobs go out before the rows are kept
                    if pending and worker.ready and worker.job is None:
                        self._send(worker, pending.popleft())
                yield from finished
                if not pending and all(w.job is None for w in self.workers):
                    return
                self._wait(selector)
        finally:
            selector.close()

    def _settle(self, worker: _Worker, selector: selectors.BaseSelector) -> list[Row]:
        """Its rows, if it wrote; its job given up and itself replaced if it ended or is
        past its deadline; replaced if it never became ready."""
        rows = self._read(worker) if worker.readable else []
        if worker.ended:
            if worker.job is not None:
                rows.append(_gave_up(worker.job, STOPPED))
            self._replace(worker, selector)
        elif worker.job is not None and time.monotonic() > worker.deadline:
            rows.append(_gave_up(worker.job, self.limits.time_message(),
                                time.monotonic() - worker.deadline + self._allowed()))
            worker.job = None
            self._replace(worker, selector)
        elif not worker.ready and time.monotonic() - worker.started > START_S:
            self._replace(worker, selector)
        return rows

    def _allowed(self) -> float:
        return (self.limits.seconds or 0.0) + self.grace

    def _send(self, worker: _Worker, job: Job) -> None:
        worker.job = job
        worker.deadline = time.monotonic() + self._allowed() if self.limits.seconds else \
            float("inf")
        line = json.dumps(job.to_dict(), ensure_ascii=False) + "\n"
        try:
            worker.process.stdin.write(line.encode("utf-8"))
            worker.process.stdin.flush()
        except OSError:  # it died: found below, the job given up
            pass

    def _wait(self, selector: selectors.BaseSelector) -> None:
        """Wait until a worker writes, or the nearest deadline; note which can be read."""
        now = time.monotonic()
        deadlines = [w.deadline for w in self.workers if w.job is not None]
        timeout = max(0.0, min([*deadlines, now + 1.0]) - now)
        ready = {key.fileobj for key, _ in selector.select(timeout)}
        for worker in self.workers:
            worker.readable = worker.process.stdout in ready

    def _read(self, worker: _Worker) -> list[Row]:
        data = os.read(worker.process.stdout.fileno(), 1 << 16)
        worker.readable = False
        if not data:
            worker.ended = True  # the caller gives up its job and replaces it
            return []
        worker.buffer += data
        rows = []
        *lines, worker.buffer = worker.buffer.split(b"\n")
        for line in lines:
            if line.strip() == READY.encode():
                worker.ready, self.failed_starts = True, 0
            elif line.strip() and worker.job is not None:
                rows.append(_row(json.loads(line)))
                worker.job = None
        return rows


# Other batches (verify --batch, catalog --verify: :mod:`.tasks`) run on the same workers:
# their jobs and records say their ``kind``; a grading job's do not.
def _job(data: dict[str, Any]) -> Any:
    if "kind" in data:
        from .tasks import job_from
        return job_from(data)
    return Job.from_dict(data)


def _row(record: dict[str, Any]) -> Any:
    if "kind" in record:
        from .tasks import row_from
        return row_from(record)
    return Row.from_record(record)


def _gave_up(job: Any, hint: str, seconds: float = 0.0) -> Any:
    return job.gave_up(hint, seconds) if hasattr(job, "gave_up") else gave_up(job, hint, seconds)


def run(jobs: Iterable[Job], *, workers: int = 1, scheduler: str | None = None,
        limits: GradeLimits | None = None) -> Iterator[Row]:
    """Grade ``jobs`` on ``workers`` local processes, or on the Dask cluster at
    ``scheduler``: one row per job, as they finish. The local workers stay warm for the next
    run in this process with the same limits (they end with it)."""
    limits = limits or GradeLimits(20.0, 2**30)
    if scheduler is not None:
        yield from _on_dask(list(jobs), scheduler, limits)
        return
    pool = _borrow(workers, limits)
    try:
        yield from pool.run(jobs)
    except BaseException:  # stopped half way: its workers may be busy
        pool.close()
        raise
    _give_back(pool)


# Warm pools of this process, by size and limits, each lent to one run at a time (a Dask
# worker's tasks run in threads).
_POOLS: dict[tuple, list[Pool]] = {}
_POOLS_LOCK = threading.Lock()


def _borrow(size: int, limits: GradeLimits) -> Pool:
    with _POOLS_LOCK:
        idle = _POOLS.get((size, limits.seconds, limits.memory))
        return idle.pop() if idle else Pool(size, limits)


def _give_back(pool: Pool) -> None:
    with _POOLS_LOCK:
        if not _POOLS:
            atexit.register(close_pools)
        _POOLS.setdefault((pool.size, pool.limits.seconds, pool.limits.memory), []).append(pool)


def close_pools() -> None:
    """Stop every warm worker of this process."""
    with _POOLS_LOCK:
        pools = [p for idle in _POOLS.values() for p in idle]
        _POOLS.clear()
    for pool in pools:
        pool.close()


def grade_chunk(jobs: list[dict[str, Any]], seconds: float | None,
                memory: int | None) -> list[dict[str, Any]]:
    """A Dask task: grade ``jobs`` (as :meth:`Job.to_dict` wrote them) on a local pool of
    one worker process, kept warm in this Dask worker for the next chunk; the rows' records."""
    rows = run([_job(j) for j in jobs], limits=GradeLimits(seconds, memory))
    return [row.record() for row in rows]


def connect(scheduler: str) -> Any:
    """A ``distributed.Client`` of the cluster at ``scheduler`` (a SymnumError when Dask is
    not installed or the scheduler does not answer)."""
    try:
        from distributed import Client
    except ImportError:
        raise SymnumError("--scheduler needs Dask: install symnum[dask] "
                          "(pip install 'symnum[dask]')") from None
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError) as err:
        raise SymnumError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    except ValueError as err:  # 'notaurl': no port
        raise SymnumError(f"--scheduler must be an address like tcp://HOST:PORT, not "
                          f"{scheduler!r} ({err})") from None


def _on_dask(jobs: list[Job], scheduler: str, limits: GradeLimits) -> Iterator[Row]:
    if not jobs:
        return
    with connect(scheduler) as client:
        from distributed import as_completed

        threads = sum(w.get("nthreads", 1) for w in
                      client.scheduler_info().get("workers", {}).values()) or 1
        size = max(CHUNK[0], min(CHUNK[1], -(-len(jobs) // (threads * TASKS_PER_WORKER))))
        futures = [client.submit(grade_chunk, [j.to_dict() for j in jobs[i:i + size]],
                                 limits.seconds, limits.memory, pure=False)
                   for i in range(0, len(jobs), size)]
        for future in as_completed(futures):
            try:
                records = future.result()
            except Exception as err:  # noqa: BLE001 - a worker lost, the cluster gone
                raise SymnumError(f"the Dask cluster stopped grading ({type(err).__name__}: "
                                  f"{err}); the rows finished so far are kept: run the same "
                                  "command again to continue") from None
            for record in records:
                yield _row(record)
