"""Timing helpers: latency percentiles and throughput, with bounded time budgets."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Latency:
    calls: int
    p50_ms: float
    p95_ms: float

    def as_dict(self) -> dict:
        return {"calls": self.calls, "p50_ms": self.p50_ms, "p95_ms": self.p95_ms}


def latency(call, calls: int, warmup: int = 20, budget_s: float = 60.0) -> Latency:
    """Per-call wall time over ``calls`` calls (fewer if ``budget_s`` runs out)."""
    for _ in range(warmup):
        call()
    times = []
    started = time.perf_counter()
    while len(times) < calls and time.perf_counter() - started < budget_s:
        begin = time.perf_counter()
        call()
        times.append(time.perf_counter() - begin)
    values = np.array(times) * 1e3
    return Latency(len(values), float(np.percentile(values, 50)), float(np.percentile(values, 95)))


def throughput(
    call, batch: int, min_seconds: float = 1.0, min_calls: int = 3, warmup: int = 1
) -> float:
    """Images per second for ``call()`` processing one batch of ``batch`` images."""
    for _ in range(warmup):
        call()
    calls = 0
    started = time.perf_counter()
    while calls < min_calls or time.perf_counter() - started < min_seconds:
        call()
        calls += 1
    return calls * batch / (time.perf_counter() - started)


def timed(call) -> tuple[object, float]:
    """``(result, seconds)`` of one call."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started
