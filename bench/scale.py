"""Scale: our corpus alone (1x) against the corpus plus growing slices of the synthetic national catalogue
(bench/catalogue.py; 2,500 procedures x fr/ar, about 45,000 chunks), measured side by side in one run.

For each size: a fresh full index (time and chunks/s, beside the raw embedder's passages/s measured on the same
texts), the keyword view's build time and memory, search p50/p95 from 1 and from 8 threads (the retriever in this
process, query vectors computed beforehand: the figure is the index's share of a search), and, at 1x and at the
largest size, the golden set's quality. At the largest size also: an incremental re-index of 1 % of the procedures,
and the real service on that index (time to /readyz, memory at rest and under chat load). Passage vectors are kept
in data/bench/ between runs (bench/vectors.py): the report says how many this run embedded.

In the service rows, RSS at rest is right after /readyz; the chat load (c=8) starts after ten chats one at a time,
so that it measures a warm replica (the first chat's time is reported apart)."""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from assistant.text import expand_with_lexicon
from bench.catalogue import stage_entries, write_catalogue
from bench.ingest import bench_settings, open_index, raw_embedding_seconds
from bench.latency import run_load_process, summarise
from bench.scale_quality import golden_questions, measure_quality
from bench.service import REPO, Service
from bench.vectors import StoredVectors
from core.embedders import Embedder
from ingestion.chunking import chunk_document
from ingestion.loaders import load_document
from ingestion.pipeline import IndexOptions, discover_sources, run_index

VECTORS = REPO / "data" / "bench" / "scale-vectors.npz"
# The corpus records' sentence vectors, written beside the bench's own index (bench/run.py) as `ingestion index`
# writes them: the service copies carry them, as a deployed replica's volume does. Without them every record was
# embedded at its first answer and the chat rows measured that (1.9 turns/s at c=8, p95 5.3 s, at ba04910). The
# catalogue's 5,000 records are not embedded here (about two hours): one quoted is embedded when first quoted.
SENTENCE_VECTORS = REPO / "data" / "bench" / "sentence-vectors"


@dataclass(frozen=True)
class ScalePlan:
    procedures: int  # of the synthetic catalogue, at the largest size
    fractions: tuple[float, ...]  # of the catalogue added to the corpus, one index per fraction (0 = 1x)
    search_questions: int
    quality_every: int  # one golden question in this many
    load_seconds: float
    raw_sample: int  # passages embedded to measure the raw embedder's rate
    changed_share: float = 0.01


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def stage_catalogue(work: Path, procedures: int, fraction: float) -> Path | None:
    """The first `fraction` of the catalogue, staged as the import stores it; the same seed gives a prefix of the
    same catalogue at every size."""
    count = round(procedures * fraction)
    if count == 0:
        return None
    path = work / f"catalogue-{count}.jsonl"
    write_catalogue(path, count)
    stage_entries(path, work / f"synthetic-{count}" / "synthetic")
    return work / f"synthetic-{count}" / "synthetic"


def raw_rate(embedder: Embedder, roots: list[Path], options: IndexOptions, sample: int) -> float:
    """The raw embedder's passages/s on `sample` chunks spread over the catalogue, in the indexer's batches."""
    texts = [c.text for key, path in discover_sources(roots).items()
             for c in chunk_document(load_document(path, key, options.max_file_bytes), options.chunk_size,
                                     options.chunk_overlap)]
    picked = texts[:: max(1, len(texts) // sample)][:sample]
    return len(picked) / raw_embedding_seconds(embedder, picked, options.batch_size)


def _timed_searches(retriever: HybridRetriever, questions: list[str]) -> list[float]:
    times = []
    for question in questions:
        started = time.perf_counter()
        retriever.retrieve(question, expand_with_lexicon(question))
        times.append((time.perf_counter() - started) * 1000)
    return times


def search_latency(retriever: HybridRetriever, questions: list[str], threads: int) -> dict[str, Any]:
    """Every question once, spread over `threads` threads searching at the same time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(lambda n: _timed_searches(retriever, questions[n::threads]), range(threads)))
    seconds = time.perf_counter() - started
    return {**summarise([t for part in parts for t in part]), "searches_per_s": round(len(questions) / seconds, 1)}


def measure_size(roots: list[Path], vectors: StoredVectors, data_dir: Path, options: IndexOptions,
                 questions: list[str]) -> tuple[dict[str, Any], HybridRetriever]:
    shutil.rmtree(data_dir, ignore_errors=True)
    index = open_index(bench_settings(data_dir), vectors)
    embedded, embed_seconds = vectors.embedded, vectors.embed_seconds
    report = run_index(roots, vectors, index, options)
    if report.failed:
        raise RuntimeError(f"indexing failed for {report.failed}")
    vectors.save()
    retriever = HybridRetriever(vectors, index)
    before, started = rss_mb(), time.perf_counter()
    retriever.keywords.chunk_count()  # the keyword view (BM25) and the records are built on first use
    retriever.catalog.records()
    keyword_s, keyword_mb = time.perf_counter() - started, rss_mb() - before
    for question in questions:
        vectors.embed_query(question)  # outside the timings
    _timed_searches(retriever, questions[:10])
    row = {"files": report.records, "chunks": report.chunks_total, "index_s": round(report.seconds, 2),
           "embedded_now": vectors.embedded - embedded, "embed_s": round(vectors.embed_seconds - embed_seconds, 2),
           "keyword_build_s": round(keyword_s, 3), "keyword_view_mb": round(keyword_mb, 1),
           "search_c1": search_latency(retriever, questions, 1), "search_c8": search_latency(retriever, questions, 8)}
    return row, retriever


def reindex_share(work: Path, roots: list[Path], vectors: StoredVectors, data_dir: Path, options: IndexOptions,
                  share: float) -> dict[str, Any]:
    """Change `share` of the catalogue's procedures (both languages) and re-index incrementally."""
    catalogue = roots[-1]
    procedures = sorted(p for p in catalogue.iterdir() if p.is_dir())
    changed = procedures[:: max(1, round(1 / share))]
    for folder in changed:
        for path in folder.glob("*.json"):
            entry = json.loads(path.read_text(encoding="utf-8"))
            entry["line"]["delay"] = f"{entry['line'].get('delay', '')} (révisé le {time.strftime('%Y-%m-%d %H:%M:%S')})"
            path.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    index = open_index(bench_settings(data_dir), vectors)
    embedded = vectors.embedded
    report = run_index(roots, vectors, index, options)
    return {"procedures_changed": len(changed), "sources_updated": len(report.updated),
            "chunks_embedded": report.chunks_embedded, "really_embedded": vectors.embedded - embedded,
            "seconds": round(report.seconds, 2), "chunks_total": report.chunks_total}


def _one_after_another(service: Service, questions: list[str], path: str) -> list[float]:
    """Milliseconds of each request, sent one at a time: a chat (POST) or a search (GET)."""
    times = []
    with httpx.Client(base_url=service.url, timeout=120) as client:
        for question in questions:
            started = time.perf_counter()
            response = (client.post(path, json={"message": question}) if path == "/v1/chat"
                        else client.get(path, params={"q": question}))
            response.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def warm_up(service: Service, questions: list[str]) -> float:
    """One chat after another, as the first citizens would send them; returns the first one's milliseconds."""
    return round(_one_after_another(service, questions, "/v1/chat")[0], 1)


def client_searches(service: Service, questions: list[str]) -> dict[str, Any]:
    """`/v1/search` one request after another, as a client sees it: the query embedding included."""
    return summarise(_one_after_another(service, questions, "/v1/search"))


def serve_index(data_dir: Path, work: Path, questions_path: Path, seconds: float,
                search_questions: int) -> dict[str, Any]:
    """The real service over this index: time to /readyz (keyword view built), memory at rest and under chat c=8,
    and the client's search latency at c=1."""
    copy = work / "service-data"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data_dir / "chroma", copy / "chroma")
    if SENTENCE_VECTORS.exists():
        shutil.copytree(SENTENCE_VECTORS, copy / "sentence-vectors")
    with Service(copy, work / "service-scale.log") as service:
        at_rest = service.memory_mb()
        questions = json.loads(questions_path.read_text(encoding="utf-8"))
        first_ms = warm_up(service, questions[:10])
        search = client_searches(service, questions[10:10 + search_questions])
        warm = service.memory_mb()
        service.reset_peak_memory()
        load = run_load_process(service.url, "chat", 8, seconds, 1.0, questions_path)
        under = service.memory_mb()
        return {"ready_s": round(service.started_in_s, 2), "rss_at_rest_mb": at_rest["rss_mb"],
                "first_chat_ms": first_ms, "rss_after_warm_up_mb": warm["rss_mb"], "client_search_c1": search,
                "rss_under_chat_c8_mb": under["rss_mb"], "peak_under_chat_c8_mb": under["peak_mb"],
                "chat_c8_turns_per_s": load["rps"], "chat_c8_p95_ms": load["p95_ms"], "chat_c8_errors": load["errors"]}


def measure_scale(plan: ScalePlan, embedder: Embedder, questions: list[str], work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    options = IndexOptions()
    vectors = StoredVectors(embedder, VECTORS)
    stored_before = len(vectors)
    golden = golden_questions(plan.quality_every)
    search_questions = questions[: plan.search_questions]
    questions_path = work / "scale-questions.json"
    questions_path.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    largest = stage_catalogue(work, plan.procedures, max(plan.fractions))
    assert largest is not None
    raw = raw_rate(embedder, [largest], options, plan.raw_sample)
    print(f"  raw embedder {raw:.1f} passages/s; {stored_before} stored vectors")
    rows = []
    for fraction in sorted(plan.fractions):
        catalogue = stage_catalogue(work, plan.procedures, fraction)
        roots = [REPO / "corpus"] + ([catalogue] if catalogue else [])
        data_dir = work / f"scale-{fraction:g}"
        row, retriever = measure_size(roots, vectors, data_dir, options, search_questions)
        row["catalogue_procedures"] = round(plan.procedures * fraction)
        # What a fresh index costs with every chunk embedded now: the measured time less the embedding it did,
        # plus every chunk at the raw rate measured above.
        row["index_s_all_embedded"] = round(row["index_s"] - row["embed_s"] + row["chunks"] / raw, 1)
        row["index_chunks_per_s_all_embedded"] = round(row["chunks"] / row["index_s_all_embedded"], 2)
        if fraction in (0.0, max(plan.fractions)):
            row["quality"] = measure_quality(AnswerPipeline(retriever), golden)
        rows.append(row)
        print(f"  +{row['catalogue_procedures']:>5d} procedures {row['chunks']:6d} chunks  index {row['index_s']:7.1f} s"
              f" ({row['embedded_now']} embedded now)  keyword view {row['keyword_build_s']:.2f} s "
              f"{row['keyword_view_mb']:.0f} MiB  search c1 p95 {row['search_c1']['p95_ms']} ms  "
              f"c8 p95 {row['search_c8']['p95_ms']} ms" + (f"  right procedure {row['quality']['right_procedure']}"
                                                           if "quality" in row else ""))
        del retriever
        if catalogue is not None and fraction != max(plan.fractions):
            shutil.rmtree(data_dir, ignore_errors=True)
    big_dir = work / f"scale-{max(plan.fractions):g}"
    reindex = reindex_share(work, [REPO / "corpus", largest], vectors, big_dir, options, plan.changed_share)
    print(f"  re-index of {reindex['procedures_changed']} procedures: {reindex['seconds']} s")
    vectors.save()
    small_service = serve_index(work / "scale-0", work, questions_path, plan.load_seconds, plan.search_questions)
    big_service = serve_index(big_dir, work, questions_path, plan.load_seconds, plan.search_questions)
    print(f"  service 1x ready {small_service['ready_s']} s, {small_service['rss_at_rest_mb']} MiB; "
          f"big ready {big_service['ready_s']} s, {big_service['rss_at_rest_mb']} MiB")
    return summarise_scale(plan, rows, raw, reindex, small_service, big_service, stored_before)


def summarise_scale(plan: ScalePlan, rows: list[dict[str, Any]], raw: float, reindex: dict[str, Any],
                    small: dict[str, Any], big: dict[str, Any], stored_before: int) -> dict[str, Any]:
    first, last = rows[0], rows[-1]
    extra_chunks = max(1, last["chunks"] - first["chunks"])
    per_10k = round((big["rss_at_rest_mb"] - small["rss_at_rest_mb"]) / extra_chunks * 10_000, 1)
    q1, qn = first.get("quality", {}), last.get("quality", {})
    aims = {
        "search_c1_p95_ratio": round(last["search_c1"]["p95_ms"] / first["search_c1"]["p95_ms"], 2),
        "search_c1_p95_at_most_1.2x": last["search_c1"]["p95_ms"] <= 1.2 * first["search_c1"]["p95_ms"],
        # The same aim on the search a client sees (/v1/search, the query embedding included), beside the index's
        # share above: both are reported, neither replaces the other.
        "client_search_c1_p95_ratio": round(big["client_search_c1"]["p95_ms"] / small["client_search_c1"]["p95_ms"], 2),
        "client_search_c1_p95_at_most_1.2x": (big["client_search_c1"]["p95_ms"]
                                              <= 1.2 * small["client_search_c1"]["p95_ms"]),
        "right_procedure_drop_points": round(100 * (q1.get("right_procedure", 0) - qn.get("right_procedure", 0)), 1),
        "right_procedure_drop_at_most_3_points": q1.get("right_procedure", 0) - qn.get("right_procedure", 0) <= 0.03,
        "ready_s": big["ready_s"], "ready_under_30s": big["ready_s"] < 30,
        "at_least_40k_chunks": last["chunks"] >= 40_000,
    }
    return {
        "method": ("corpus + a prefix of the synthetic catalogue (bench/catalogue.py, seed 16) per size, each indexed "
                   "fresh; passage vectors stored between runs (bench/vectors.py); search = the retriever in this "
                   "process with precomputed query vectors; quality on the golden test half"),
        "plan": {"procedures": plan.procedures, "fractions": list(plan.fractions)},
        "raw_passages_per_s": round(raw, 2), "vectors_stored_before_run": stored_before, "rows": rows,
        "reindex_share": reindex, "service_1x": small, "service_largest": big,
        "service_mb_per_10k_chunks": per_10k, "aims": aims, "cpus": os.cpu_count(),
    }

