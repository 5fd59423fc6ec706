"""`govkg bench qa`: question-answering latencies alone: model loading at start-up, the first question after
it, then every question, p50/p95 per stage, in milliseconds."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from qa.evaluation import QaQuestion, latency
from qa.models import Mode
from service.components import Services


def run_qa_bench(services: Services, items: Sequence[QaQuestion], mode: Mode,
                 asked: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """The benchmark's JSON; `asked` is called after each question (a progress bar)."""
    t = time.perf_counter()
    services.qa.warm_up(generative=mode != "extractive")  # as `govkg serve` does before it listens
    startup_ms = (time.perf_counter() - t) * 1000
    timings: dict[str, list[float]] = {}
    walls = []
    for item in items:
        t = time.perf_counter()
        response = services.qa.ask(item.question, None, mode)
        walls.append((time.perf_counter() - t) * 1000)
        for stage, ms in response.timings_ms.items():
            timings.setdefault(stage, []).append(ms)
        asked()
    rest = walls[1:] or walls
    return {
        "mode": mode, "store": services.store_url, "questions": len(items),
        "startup_ms": round(startup_ms, 1),
        "first_question_ms": round(walls[0], 1),
        "others_p50_ms": round(statistics.median(rest), 1),
        "first_minus_others_p50_ms": round(walls[0] - statistics.median(rest), 1),
        "wall": latency(walls).model_dump(),
        "stages": {stage: latency(values).model_dump() for stage, values in sorted(timings.items())},
    }
