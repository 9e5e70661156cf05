"""Worker processes that compute requests, each under a time and a memory limit.

The server never computes in its own process: a request takes a free worker (waiting for one
at most the time limit), sends it the job and waits for the reply without blocking the event
loop. A worker that passes the time limit (plus a grace for its own clean answer) is killed
and replaced; one that dies (killed, out of memory) is replaced, and the request retried on
another when its worker died at once. Workers are forked from a server process that imported
SymPy and symnum beforehand (multiprocessing's forkserver), so a new one is ready in
milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import time
from dataclasses import dataclass
from typing import Any

LOG = logging.getLogger("symnum.web")
GRACE_S = 2.0  # after its time limit, a worker has this long to answer before it is killed
RETRY_WITHIN_S = 1.0  # a worker that dies this soon after taking a job: retry on another
# Imported once by the process that forks the workers, so that each starts warm.
# symnum.web.warmup runs a few small jobs there (lazy imports, caches).
WARM_MODULES = ["symnum.web.jobs", "symnum.web.warmup"]


@dataclass
class Reply:
    """What a job answered: HTTP status, media type, body."""

    status: int
    media_type: str
    body: str | bytes


def default_workers() -> int:
    """4 to 8 workers, by the number of CPU cores: more than the cores, so that two or three
    heavy requests (each cut at the time limit) leave workers free for small ones."""
    return max(4, min(8, os.cpu_count() or 4))


def _error(status: int, message: str) -> Reply:
    return Reply(status, "application/json", json.dumps({"error": message}))


@dataclass
class _Worker:
    process: Any
    conn: Any

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """``size`` worker processes; :meth:`run` computes one job on one of them."""

    def __init__(self, size: int | None = None, timeout: float = 30.0,
                 memory: int | None = 2 * 2**30):
        self.size = size or default_workers()
        self.timeout, self.memory = timeout, memory
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(WARM_MODULES)
        os.environ["SYMNUM_WARM_WORKERS"] = "1"  # read by symnum.web.warmup in that process
        self._idle: list[_Worker] = []
        self._slots: asyncio.Semaphore | None = None
        self._starting: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._closed = False

    def _spawn(self) -> _Worker:
        from .jobs import worker_main

        parent, child = self._context.Pipe()
        process = self._context.Process(target=worker_main, name="symnum-worker", daemon=True,
                                        args=(child, self.timeout, self.memory))
        process.start()
        child.close()
        return _Worker(process, parent)

    async def start(self) -> None:
        """Start the workers (the first start also starts the forking server: seconds)."""
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_task(self._start())
        await asyncio.shield(self._starting)

    def start_soon(self) -> None:
        """Start the workers in the background; requests that come first wait for them."""
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        self._slots = asyncio.Semaphore(self.size)
        while len(self._idle) < self.size and not self._closed:
            self._idle.append(await asyncio.to_thread(self._spawn))

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        if self._starting is not None:
            with contextlib.suppress(BaseException):
                await self._starting
        for worker in self._idle:
            worker.stop()
        self._idle.clear()

    async def run(self, kind: str, request: Any, seconds: float | None = None) -> Reply:
        """Compute operation ``kind`` of ``request`` (a :mod:`symnum.service` request) on a
        worker within ``seconds`` (default: the pool's limit)."""
        await self.start()
        seconds = min(seconds or self.timeout, self.timeout)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.timeout)
        except TimeoutError:
            return _error(503, "the server is busy with other requests; try again in a moment")
        try:
            return await self._run(kind, request, seconds)
        finally:
            self._slots.release()

    async def _run(self, kind: str, request: Any, seconds: float) -> Reply:
        retries = self.size  # workers killed together all die at once, each retried once
        for _ in range(2 * self.size + 3):  # idle workers found dead are skipped
            worker = await self._take()
            try:
                worker.conn.send((kind, request, seconds))
            except (OSError, ValueError):  # it died while idle (killed): take another
                self._discard(worker)
                continue
            started = time.monotonic()
            try:
                status, media, body, retire = await self._receive(worker, seconds + GRACE_S)
            except TimeoutError:
                self._discard(worker)
                return _error(503, f"gave up after {seconds:g} s (the server's time limit; "
                                   "start it with --timeout to allow more)")
            except (EOFError, OSError, ValueError):
                self._discard(worker)
                if retries and time.monotonic() - started < RETRY_WITHIN_S:
                    retries -= 1
                    continue
                return _error(503, "the worker computing this request stopped (out of memory "
                                   "or killed); try again, or ask for less")
            except BaseException:  # cancelled (the client left): the worker is still busy
                self._discard(worker)
                raise
            if retire:
                self._discard(worker)
            elif len(self._idle) >= self.size:  # replacements came meanwhile: one too many
                worker.stop()
            else:
                self._idle.append(worker)
            return Reply(status, media, body)
        return _error(503, "no worker could be started; restart the server")

    async def _take(self) -> _Worker:
        for worker in [w for w in self._idle if not w.process.is_alive()]:
            self._idle.remove(worker)  # died while idle: replaced
            self._discard(worker)
        if self._idle:
            return self._idle.pop()
        return await asyncio.to_thread(self._spawn)

    async def _receive(self, worker: _Worker, limit: float) -> tuple:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, limit)
        finally:
            loop.remove_reader(fd)
        return worker.conn.recv()

    def _discard(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a replacement in the background."""
        worker.stop()
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replace(self) -> None:
        try:
            worker = await asyncio.to_thread(self._spawn)
        except Exception as err:  # noqa: BLE001 - the next request spawns one on demand
            LOG.warning("could not start a worker: %s", err)
            return
        if self._closed or len(self._idle) >= self.size:
            worker.stop()
        else:
            self._idle.append(worker)
