"""`govkg bench api`: the HTTP API under load, on loopback, bounded.

The server runs as its own process (`govkg serve --workers N`, as deployed) so that the load client does not
share its interpreter. An open-loop client sends a mix of entity search, entity detail and neighbourhood
requests at a fixed rate for a fixed time, after a warm-up that is not counted; each latency counts from the
moment the request was due, so a server that falls behind shows it. Then `/ask` runs with a few concurrent
users. A temporary admin token is created for the run and revoked after.
"""
from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import BaseModel

from service.auth.principal import Role
from service.components import Services
from tools.local_server import free_port

MAX_RATE = 2_000  # requests/s
MAX_DURATION_S = 600
WARM_UP_S = 5.0  # every worker's caches and connections, at the measured rate, before the measured run
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Latencies(BaseModel):
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


class AskLoad(BaseModel):
    users: int
    questions: int
    errors: int
    p50_ms: float
    p95_ms: float


class ApiBench(BaseModel):
    cpu: str
    cores: int
    workers: int
    store: str
    rate: float
    duration_s: float
    achieved_rate: float
    mix: dict[str, float]
    all: Latencies
    by_kind: dict[str, Latencies]
    status_counts: dict[str, int]
    ask: AskLoad | None


def cpu_name() -> str:
    """The CPU's model name (speed figures are stated with it)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def _quantile(ordered: list[float], q: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def _latencies(values: list[float], errors: int) -> Latencies:
    ordered = sorted(values)
    return Latencies(requests=len(values), errors=errors,
                     p50_ms=round(statistics.median(ordered), 2) if ordered else 0.0,
                     p95_ms=_quantile(ordered, 0.95), p99_ms=_quantile(ordered, 0.99))


def _start_server(workers: int, store: str | None, port: int, config: str | None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cli"]
    if config:
        command += ["--config", config]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if store:
        command += ["--store", store]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _wait_ready(base: str, server: subprocess.Popen[bytes], headers: dict[str, str], timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = (server.stderr.read() if server.stderr else b"").decode()[-2000:]
            raise RuntimeError(f"the API server ended: {said}")
        try:
            if httpx.get(f"{base}/stats", headers=headers, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the API server did not become ready")


class _Connections:
    """Keep-alive HTTP/1.1 connections over asyncio streams: a load client light enough (about 0.2 ms of CPU a
    request, against some 25 ms for httpx's async client here) not to be the bottleneck on the server's cores."""

    def __init__(self, host: str, port: int, headers: dict[str, str], size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self.opened = 0

    async def _take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            return await asyncio.open_connection(self.host, self.port)
        return await self.idle.get()

    async def get(self, target: str) -> int:
        reader, writer = await self._take()
        try:
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}\r\n".encode("latin-1"))
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            self.opened -= 1
            raise
        if close:
            writer.close()
            self.opened -= 1
        else:
            self.idle.put_nowait((reader, writer))
        return status

    async def close(self) -> None:
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()


async def _open_loop(port: int, headers: dict[str, str], rate: float, duration_s: float,
                     make: Callable[[int], tuple[str, str, dict[str, object] | None]]
                     ) -> tuple[dict[str, list[float]], dict[str, int], Counter[str], float]:
    from urllib.parse import urlencode

    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    statuses: Counter[str] = Counter()
    total = int(rate * duration_s)
    pool = _Connections("127.0.0.1", port, headers, size=64)
    start = time.perf_counter()

    async def one(i: int) -> None:
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        kind, path, params = make(i)
        target = path + ("?" + urlencode(params) if params else "")
        try:
            code = await pool.get(target)
            status, failed = str(code), code >= 400 and code != 404
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            status, failed = type(exc).__name__, True
        elapsed = (time.perf_counter() - due) * 1000  # from when it was due: no coordinated omission
        latencies.setdefault(kind, []).append(elapsed)
        errors[kind] = errors.get(kind, 0) + failed
        statuses[status] += 1

    await asyncio.gather(*(one(i) for i in range(total)))
    wall = time.perf_counter() - start
    await pool.close()
    return latencies, errors, statuses, total / wall


async def _ask_users(base: str, headers: dict[str, str], users: int, questions: list[str]) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for q in questions:
        queue.put_nowait(q)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as client:
        async def user() -> None:
            nonlocal errors
            while not queue.empty():
                question = queue.get_nowait()
                t = time.perf_counter()
                try:
                    response = await client.post("/ask", json={"question": question})
                    errors += response.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t) * 1000)

        await asyncio.gather(*(user() for _ in range(users)))
    return latencies, errors


DEFAULT_MIX = {"search": 0.5, "entity": 0.3, "neighbourhood": 0.2}


def parse_mix(text: str) -> dict[str, float]:
    """`search=0.5,entity=0.5` → weights summing to 1 over search, entity and neighbourhood."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, weight = part.partition("=")
        if kind not in DEFAULT_MIX:
            raise ValueError(f"unknown request kind {kind!r} in --mix; kinds: {', '.join(DEFAULT_MIX)}")
        mix[kind] = float(weight)
    total = sum(mix.values())
    if total <= 0 or any(w < 0 for w in mix.values()):
        raise ValueError("--mix needs non-negative weights with a positive sum")
    return {k: round(w / total, 4) for k, w in mix.items()}


def run_api_bench(services: Services, rate: float, duration_s: float, workers: int, ask_users: int,
                  ask_questions: list[str], store: str | None, config: str | None, seed: int,
                  progress: Callable[[str], None], mix: dict[str, float] | None = None) -> ApiBench:
    if not 0 < rate <= MAX_RATE or not 0 < duration_s <= MAX_DURATION_S:
        raise ValueError(f"--rate must be in (0, {MAX_RATE}] and --duration in (0, {MAX_DURATION_S}]")
    infos = [i for i in services.store.entity_infos(None).values() if i.mention_count > 0]
    if not infos:
        raise ValueError("the graph has no entity with mentions: import documents first")
    rng = random.Random(seed)
    infos.sort(key=lambda i: i.id)
    picks = [rng.choice(infos) for _ in range(1000)]
    mix = mix or DEFAULT_MIX
    bounds = [(kind, sum(list(mix.values())[: i + 1])) for i, kind in enumerate(mix)]

    def make(i: int) -> tuple[str, str, dict[str, object] | None]:
        info = picks[i % len(picks)]
        r = (i * 0.6180339887) % 1.0  # a low-discrepancy walk through the mix
        kind = next((k for k, upper in bounds if r < upper), bounds[-1][0])
        if kind == "search":
            return "search", "/entities", {"q": info.name[: max(3, len(info.name) // 2)], "limit": 10}
        if kind == "entity":
            return "entity", f"/entities/{info.id}", {"facts": 50, "mentions": 20}
        return "neighbourhood", f"/graph/neighbourhood/{info.id}", {"depth": 1, "limit": 100}

    token = services.tokens.create("bench-api", [], [], Role.admin, expires_days=1)
    headers = {"Authorization": f"Bearer {token.token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(workers, store, port, config)
    try:
        progress(f"starting the API ({workers} worker(s)) on {base}")
        _wait_ready(base, server, headers)
        for kind_path in ("/graph/central", f"/entities/{picks[0].id}", "/entities?q=sec"):
            httpx.get(f"{base}{kind_path}", headers=headers, timeout=120)  # warm caches and projections
        progress(f"warming up: {rate:g} requests/s for {WARM_UP_S:g} s (not counted)")
        asyncio.run(_open_loop(port, headers, rate, WARM_UP_S, lambda i: make(i + 1_000_003)))
        progress(f"{rate:g} requests/s for {duration_s:g} s")
        latencies, errors, statuses, achieved = asyncio.run(_open_loop(port, headers, rate, duration_s, make))
        ask = None
        if ask_users > 0 and ask_questions:
            progress(f"/ask with {ask_users} concurrent users, {len(ask_questions)} questions")
            ask_lat, ask_errors = asyncio.run(_ask_users(base, headers, ask_users, ask_questions))
            ordered = sorted(ask_lat)
            ask = AskLoad(users=ask_users, questions=len(ask_questions), errors=ask_errors,
                          p50_ms=round(statistics.median(ordered), 1), p95_ms=_quantile(ordered, 0.95))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        services.tokens.revoke(token.info.id)
    every = [v for values in latencies.values() for v in values]
    return ApiBench(
        cpu=cpu_name(), cores=os.cpu_count() or 0, workers=workers, store=services.store.name, rate=rate,
        duration_s=duration_s, achieved_rate=round(achieved, 1), mix=mix,
        all=_latencies(every, sum(errors.values())),
        by_kind={kind: _latencies(values, errors.get(kind, 0)) for kind, values in sorted(latencies.items())},
        status_counts=dict(statuses), ask=ask,
    )
