"""The worker's PDF render pool: child processes started once, when the worker starts, each
replaced by a fresh one after a set number of renders.

Why children: WeasyPrint's own memory grows with every document it renders in a process and is
not given back (docs/benchmarks.md, P9), so a print run of 500 invoices rendered in the worker
would leave it ~100 MB bigger. A child retired after `renders_per_child` documents takes that
growth with it, and the worker's memory stays flat however long the run.

Why a fork server: a child started afresh spends seconds importing WeasyPrint and building the
app before its first page. The fork server imports workers/render_child.py once (the app built,
fonts loaded); every child, the first ones and each replacement, is forked from it ready to
render, so a run's first document is rendered at once and recycling costs a fork.

The pool is ours, not `concurrent.futures.ProcessPoolExecutor(max_tasks_per_child=…)`: on
Python 3.11 that executor stops replacing its children once one retires while tasks wait
(CPython gh-115634) and the run would hang. One caller at a time (the worker runs one job at a
time); the parent sends each child one document and waits for its answer, so a child's death
(crash, OOM kill) is seen at once as an end of file on its pipe.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator

log = logging.getLogger("workers")

CHILD_MODULE = "workers.render_child"


class RenderCrashed(RuntimeError):
    """A render child died while it rendered a document (the pool replaced it)."""


class RenderFailed(RuntimeError):
    """A render child could not render a document (it answered with the error)."""


class _Child:
    def __init__(self, ctx):
        from workers.render_child import serve  # the fork server has it imported already

        self.conn, child_end = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child_end,), daemon=True,
                                   name="fitflow-render")
        self.process.start()
        child_end.close()  # the child's death then shows here as an end of file
        self.renders = 0

    def stop(self, timeout: float = 5) -> None:
        try:
            self.conn.send(None)
        except OSError:  # already gone
            pass
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class RenderPool:
    """`start()` once; `render_all(htmls, base_url=…)` renders documents in order; `stop()`."""

    def __init__(self, processes: int = 2, renders_per_child: int = 20):
        if processes < 1 or renders_per_child < 1:
            raise ValueError("a render pool needs at least one child and one render each")
        self.processes = processes
        self.renders_per_child = renders_per_child
        self._ctx = multiprocessing.get_context("forkserver")
        self._children: list[_Child] = []
        self._busy = threading.Lock()

    def start(self) -> RenderPool:
        self._ctx.set_forkserver_preload([CHILD_MODULE])
        self._children = [_Child(self._ctx) for _ in range(self.processes)]
        log.info("render pool: %d children (pids %s), each replaced after %d renders",
                 self.processes, " ".join(map(str, self.pids())), self.renders_per_child)
        return self

    def pids(self) -> list[int]:
        return [child.process.pid for child in self._children]

    @property
    def running(self) -> bool:
        return bool(self._children)

    def stop(self) -> None:
        children, self._children = self._children, []
        for child in children:
            child.stop()
        if children:
            log.info("render pool stopped")

    def render_all(self, htmls: Iterable[str | None], *, base_url: str) -> Iterator[bytes | None]:
        """Each HTML of `htmls` as PDF bytes, in order (None passes through as None: a document
        not to render). The children render ahead of the caller, one document each, so the
        caller binds one while the next render; HTML is taken from `htmls` only as a child is
        free for it. Raises RenderCrashed or RenderFailed and renders nothing more."""
        if not self._busy.acquire(blocking=False):
            raise RuntimeError("the render pool serves one caller at a time")
        inputs = iter(htmls)
        order: deque[_Child | None] = deque()  # what comes next, in input order
        free = list(self._children)
        ahead = 2 * len(free)  # documents taken from `htmls` ahead of the caller
        try:
            def fill() -> None:
                while free and len(order) < ahead:
                    html = next(inputs, _END)
                    if html is _END:
                        return
                    if html is None:
                        order.append(None)
                        continue
                    child = free.pop()
                    self._send(child, (html, base_url))
                    order.append(child)

            fill()
            while order:
                child = order.popleft()
                if child is None:
                    yield None
                    fill()
                    continue
                pdf = self._receive(child)
                free.append(self._recycled(child))
                fill()
                yield pdf
        finally:
            # Left with renders in flight (cancelled, failed, timed out): their answers must
            # not reach the next caller, so those children go and fresh ones take their place.
            for child in order:
                if child is not None:
                    self._replace(child)
            self._busy.release()

    def _send(self, child: _Child, task) -> None:
        try:
            child.conn.send(task)
        except OSError:
            self._replace(child)
            raise RenderCrashed("a render child died before it was sent a document") from None

    def _receive(self, child: _Child) -> bytes:
        try:
            ok, value = child.conn.recv()
        except (EOFError, OSError):
            child.process.join(1)
            code = child.process.exitcode
            self._replace(child)
            raise RenderCrashed(f"a render child died while rendering (exit code {code})") \
                from None
        child.renders += 1
        if not ok:
            raise RenderFailed(value)
        return value

    def _recycled(self, child: _Child) -> _Child:
        """The child, or a fresh one in its place once it has rendered its share."""
        if child.renders < self.renders_per_child:
            return child
        child.stop()
        return self._swap(child, _Child(self._ctx))

    def _replace(self, child: _Child) -> _Child:
        if child.process.is_alive():
            child.kill()
        else:
            child.process.join()
            child.conn.close()
        return self._swap(child, _Child(self._ctx))

    def _swap(self, child: _Child, fresh: _Child) -> _Child:
        self._children = [fresh if c is child else c for c in self._children]
        return fresh


_END = object()
