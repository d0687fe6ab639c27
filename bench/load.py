"""An async load generator, run as its own process so that its CPU is not the service's.

    python bench/load.py --url http://127.0.0.1:8000 --endpoint search --concurrency 8 --duration 30 \
        --queries questions.json

`concurrency` workers each send one request at a time, back to back, for `duration` seconds (after a warm-up
that is not recorded), cycling through the questions from different offsets. Prints one JSON object: requests,
errors (non-2xx or transport failures), requests per second, latency percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an unsorted list; 0.0 for an empty one."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(fraction * len(ordered) + 0.999999)))
    return ordered[rank - 1]


async def _send(client: httpx.AsyncClient, endpoint: str, question: str) -> httpx.Response:
    if endpoint == "search":
        return await client.get("/v1/search", params={"q": question, "k": 5})
    # A fresh conversation every time: no conversation_id, so the follow-up logic stays out of the figure.
    return await client.post("/v1/chat", json={"message": question})


async def _worker(client: httpx.AsyncClient, endpoint: str, questions: list[str], offset: int,
                  record_from: float, stop_at: float, latencies: list[float], errors: Counter[str],
                  completed: list[int]) -> None:
    n = offset
    while True:
        started = time.perf_counter()
        if started >= stop_at:
            return
        question = questions[n % len(questions)]
        n += 1
        try:
            response = await _send(client, endpoint, question)
            failure = None if response.is_success else f"http_{response.status_code}"
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
        finished = time.perf_counter()
        completed[0] += 1
        if started < record_from:
            continue  # warm-up
        if failure:
            errors[failure] += 1
        else:
            latencies.append((finished - started) * 1000)


async def run_load(url: str, endpoint: str, concurrency: int, duration: float, warmup: float,
                   questions: list[str]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    completed = [0]
    cpu_started = time.process_time()
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0) as client:
        record_from = time.perf_counter() + warmup
        stop_at = record_from + duration
        step = max(1, len(questions) // concurrency)
        await asyncio.gather(*(
            _worker(client, endpoint, questions, i * step, record_from, stop_at, latencies, errors, completed)
            for i in range(concurrency)
        ))
        # Requests still in flight at stop_at finish after it; count the time they really took.
        elapsed = max(time.perf_counter() - record_from, 1e-9)
    done = len(latencies)
    return {
        "endpoint": endpoint, "concurrency": concurrency, "duration_s": round(elapsed, 2),
        # Every request completed, warm-up included, and this client's CPU over them: the service's CPU per request
        # is read against the same count, and the client's shares the service's cores.
        "completed_all": completed[0], "client_cpu_ms_per_request": round(
            (time.process_time() - cpu_started) * 1000 / max(completed[0], 1), 2),
        "requests": done, "errors": sum(errors.values()), "error_kinds": dict(errors),
        "rps": round(done / elapsed, 2),
        "p50_ms": round(percentile(latencies, 0.50), 2), "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(sum(latencies) / done, 2) if done else 0.0,
        "max_ms": round(max(latencies), 2) if latencies else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--endpoint", choices=("search", "chat"), required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=30.0, help="recorded seconds")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds sent but not recorded")
    parser.add_argument("--queries", type=Path, required=True, help="a JSON list of questions")
    args = parser.parse_args(argv)
    questions = json.loads(args.queries.read_text(encoding="utf-8"))
    if not questions:
        parser.error("no questions")
    result = asyncio.run(run_load(args.url, args.endpoint, args.concurrency, args.duration, args.warmup,
                                  questions))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
