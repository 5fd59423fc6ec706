"""Each file parsed in a worker process, with a memory limit and a timeout.

Workers are forked from a forkserver (started once per process, with the loaders imported into it): a
threaded server forks nothing of its own (threads, models, database connections stay out of the
workers). A worker lowers its address-space limit (RLIMIT_AS: its size at start plus
`parse_memory_mb`) and then parses the files it is sent, one at a time, answering each with its
outcomes or its coded error. The parent waits at most `parse_timeout_s` for an answer, then kills the
worker (E039). A worker out of memory answers E023; one that dies without answering (a crash in a C
library, the kernel's OOM killer) is E024. The parent never holds more than the outcomes: the server's
memory stays bounded whatever a file does.

A worker is reused for the next file (a few hundred microseconds per file instead of a fork), but
never after a file that failed, a large file, or its `_MAX_USES`th file: a fresh one keeps the memory
limit meaning the same for every file.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import threading
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from extraction.errors import Errors, LoaderError
from extraction.loaders.base import LoadLimits, LoadOutcome

_MAX_USES = 200
_MAX_IDLE = 4
_LARGE = 4 * 1024 * 1024  # a worker that read a file this large is not reused
_lock = threading.Lock()
_context: Any = None
_idle: list[_Worker] = []


def _get_context() -> Any:
    global _context
    if _context is None:
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":  # the main module too: a worker then skips re-running it
            context.set_forkserver_preload(["__main__", "extraction.loaders"])
        _context = context
    return _context


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        context = _get_context()
        self.memory_mb = memory_mb
        self.uses = 0
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, memory_mb), daemon=True, name="govkg-loader")
        try:
            self.process.start()
        finally:
            child.close()

    def usable(self, memory_mb: int) -> bool:
        return self.memory_mb == memory_mb and self.process.is_alive()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        self.process.close()


def _acquire(memory_mb: int) -> _Worker:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.usable(memory_mb):
                return worker
            worker.close()
        _get_context()
    return _Worker(memory_mb)


def _release(worker: _Worker, reuse: bool) -> None:
    worker.uses += 1
    if reuse and worker.uses < _MAX_USES:
        with _lock:
            if len(_idle) < _MAX_IDLE:
                _idle.append(worker)
                return
    worker.close()


def load_isolated(limits: LoadLimits, *, path: Path | None = None, data: bytes | None = None,
                  name: str | None = None) -> list[LoadOutcome]:
    """The outcomes of one file (a path, or bytes with a name), loaded in a worker process. A worker that
    ends without an answer (E024) is replaced and the file tried once more in a fresh one: a pooled worker
    can be gone for reasons that are not the file's; a file that kills two workers is E024."""
    if data is not None:  # the cheap checks here: a refused upload is never copied to a worker
        from extraction.loaders import check_bytes

        check_bytes(data, name or "", limits.max_file_bytes)
    try:
        return _load_once(limits, path, data, name)
    except LoaderError as exc:
        if exc.code != Errors.E024.name:
            raise
    return _load_once(limits, path, data, name, fresh=True)


def _load_once(limits: LoadLimits, path: Path | None, data: bytes | None, name: str | None,
               fresh: bool = False) -> list[LoadOutcome]:
    worker = _Worker(limits.parse_memory_mb) if fresh else _acquire(limits.parse_memory_mb)
    reuse = False
    try:
        try:
            worker.conn.send((str(path) if path is not None else None, data, name, limits))
        except (BrokenPipeError, ConnectionResetError, EOFError) as exc:
            raise LoaderError(Errors.E024, reason=f"the worker was gone ({exc})") from None
        ready = wait([worker.conn, worker.process.sentinel], timeout=limits.parse_timeout_s)
        if not ready:
            raise LoaderError(Errors.E039, limit=limits.parse_timeout_s)
        try:
            kind, payload, size = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            code = worker.process.exitcode
            reason = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            raise LoaderError(Errors.E024, reason=reason + (", perhaps out of memory" if code == -9 else "")) \
                from None
        reuse = kind == "ok" and size < _LARGE
    finally:
        _release(worker, reuse)
    if kind == "error":
        raise payload
    return payload


def _limit_memory(extra_mb: int) -> None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = size + extra_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):
        pass  # no /proc (not Linux): the timeout still holds


def _serve(conn: Connection, memory_mb: int) -> None:
    """A worker: answers each (path, data, name, limits) with ("ok" | "error", outcomes | error, size)."""
    _limit_memory(memory_mb)
    while True:
        try:
            path, data, name, limits = conn.recv()
        except (EOFError, OSError):
            return
        size = len(data) if data is not None else _size(path)
        result = _load(path, data, name, limits)
        data = None
        try:
            conn.send((*result, size))
        except MemoryError:
            conn.send(("error", LoaderError(Errors.E023, limit=limits.parse_memory_mb), size))
        result = None


def _size(path: str | None) -> int:
    try:
        return os.stat(path).st_size if path else 0
    except OSError:
        return 0


def _load(path: str | None, data: bytes | None, name: str | None, limits: LoadLimits) -> tuple[str, object]:
    from extraction.loaders import load_bytes, load_file

    try:
        if path is not None:
            return "ok", load_file(Path(path), limits.max_file_bytes, limits)
        return "ok", load_bytes(data or b"", name or "", limits.max_file_bytes, limits)
    except LoaderError as exc:
        return "error", exc
    except MemoryError:
        return "error", LoaderError(Errors.E023, limit=limits.parse_memory_mb)
    except RecursionError as exc:
        return "error", LoaderError(Errors.E014, reason=f"nested too deeply ({exc})")
    except Exception as exc:
        return "error", LoaderError(Errors.E014, reason=f"{type(exc).__name__}: {exc}")


def load_file_isolated(path: Path, limits: LoadLimits) -> list[LoadOutcome]:
    return load_isolated(limits, path=path)


def load_bytes_isolated(data: bytes, name: str, limits: LoadLimits) -> list[LoadOutcome]:
    return load_isolated(limits, data=data, name=name)
