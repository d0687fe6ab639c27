"""The floor (one query embedding, in this process) against `/v1/search` at concurrency 1, interleaved; then load at
several concurrencies from a second process, with the service's memory before and under the heaviest load."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.load import percentile
from bench.service import Service
from bench.spy import ServiceSampler
from core.embedders import Embedder

LOAD_SCRIPT = Path(__file__).resolve().parent / "load.py"


def summarise(values_ms: list[float]) -> dict[str, float]:
    return {"n": len(values_ms), "p50_ms": round(percentile(values_ms, 0.50), 2),
            "p95_ms": round(percentile(values_ms, 0.95), 2), "p99_ms": round(percentile(values_ms, 0.99), 2)}


def measure_floor(service: Service, embedder: Embedder, questions: list[str], rounds: int) -> dict[str, Any]:
    """Each round embeds one question here, then asks the service to search for it: both see the same moment of
    this noisy machine. The ratios are what the aim is about: search p95 at most 2.5 x the raw embedding p50."""
    embed_ms: list[float] = []
    search_ms: list[float] = []
    with httpx.Client(base_url=service.url, timeout=30) as client:
        for question in questions[:5]:  # warm both paths
            embedder.embed_query(question)
            client.get("/v1/search", params={"q": question, "k": 5}).raise_for_status()
        for n in range(rounds):
            question = questions[n % len(questions)]
            started = time.perf_counter()
            embedder.embed_query(question)
            embed_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get("/v1/search", params={"q": question, "k": 5}).raise_for_status()
            search_ms.append((time.perf_counter() - started) * 1000)
    embed, search = summarise(embed_ms), summarise(search_ms)
    return {
        "embedder": embedder.name, "rounds": rounds, "embed": embed, "search_c1": search,
        "search_p50_over_embed_p50": round(search["p50_ms"] / embed["p50_ms"], 2),
        "search_p95_over_embed_p50": round(search["p95_ms"] / embed["p50_ms"], 2),
        "aim": "search p95 <= 2.5 x embed p50",
        "aim_met": search["p95_ms"] <= 2.5 * embed["p50_ms"],
    }


def run_load_process(url: str, endpoint: str, concurrency: int, duration: float, warmup: float,
                     queries_path: Path) -> dict[str, Any]:
    command = [sys.executable, str(LOAD_SCRIPT), "--url", url, "--endpoint", endpoint,
               "--concurrency", str(concurrency), "--duration", str(duration), "--warmup", str(warmup),
               "--queries", str(queries_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + warmup + 120, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_load(service: Service, questions: list[str], concurrencies: tuple[int, ...], duration: float,
                 warmup: float, work_dir: Path, out: Path, sample: tuple[str, int] = ("chat", 8)) -> dict[str, Any]:
    """Search then chat (extractive, fresh conversations) at each concurrency. The service's peak memory is reset
    before each run, so each run's peak is its own. py-spy, where installed, samples the service during `sample`."""
    queries_path = work_dir / "load-questions.json"
    queries_path.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    memory: dict[str, Any] = {"at_rest": service.memory_mb()}
    runs = []
    sampled = None
    for endpoint in ("search", "chat"):
        for concurrency in concurrencies:
            reset = service.reset_peak_memory()
            sampler = (ServiceSampler(service.pid, warmup + duration, work_dir / "py-spy.raw")
                       if (endpoint, concurrency) == sample else None)
            result = run_load_process(service.url, endpoint, concurrency, duration, warmup, queries_path)
            result["service_memory"] = {**service.memory_mb(), "peak_is_for_this_run": reset}
            if sampler is not None:
                sampled = sampler.finish(out / "profile-service.txt")
                if sampled:
                    sampled["during"] = f"{endpoint} c={concurrency}"
            runs.append(result)
            print(f"  load {endpoint:6s} c={concurrency:<3d} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.1f}"
                  f"  p95 {result['p95_ms']:7.1f}  p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}")
    top = max(concurrencies)
    under_top = {r["endpoint"]: r["service_memory"] for r in runs if r["concurrency"] == top}
    memory.update({f"under_{endpoint}_c{top}": value for endpoint, value in under_top.items()})
    chat_c8 = next((r for r in runs if r["endpoint"] == "chat" and r["concurrency"] == 8), None)
    errors_top = sum(r["errors"] for r in runs if r["concurrency"] == top)
    aims = {
        "chat_p95_c8_under_150ms": chat_c8 is not None and chat_c8["p95_ms"] < 150,
        f"no_errors_at_c{top}": errors_top == 0,
    }
    return {"duration_s": duration, "warmup_s": warmup, "runs": runs, "memory": memory, "aims": aims,
            "service_profile": sampled}
