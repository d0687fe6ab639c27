"""Index time and search latency against index size: the corpus copied 1x, 5x and 20x.

Copy k of procedure `p` is the folder `p-x<k>` with the front-matter id changed to match: new ids, the same texts.
Passage vectors come from the end-to-end run of the ingestion benchmark (`CachingEmbedder`), so that 20x does not
cost 20 embeddings of the corpus: the figures isolate what grows with the index (loaders, chunker, Chroma writes
and its HNSW graph, BM25 build and scoring, fusion). Search is the retriever in this process over each index, with
the query vectors computed once beforehand: its p50 is the index's share of a search, not the embedder's.
"""

from __future__ import annotations

import math
import re
import shutil
import time
from pathlib import Path
from typing import Any

from assistant.retrieval import HybridRetriever
from assistant.text import expand_with_lexicon
from bench.ingest import CachingEmbedder, index_fresh
from bench.latency import summarise
from ingestion.pipeline import IndexOptions

_ID_LINE = re.compile(r"^id:\s*(\S+)\s*$", re.MULTILINE)


def stage_copies(procedures: list[Path], dest: Path, copies: int) -> Path:
    """`copies` copies of each procedure folder under dest/procedures; copy 0 keeps its id."""
    root = dest / "procedures"
    shutil.rmtree(dest, ignore_errors=True)
    root.mkdir(parents=True)
    for folder in procedures:
        for k in range(copies):
            new_id = folder.name if k == 0 else f"{folder.name}-x{k}"
            target = root / new_id
            target.mkdir()
            for path in folder.iterdir():
                text = path.read_text(encoding="utf-8")
                if k:
                    text = _ID_LINE.sub(f"id: {new_id}", text, count=1)
                (target / path.name).write_text(text, encoding="utf-8")
    return root


def _search_times(retriever: HybridRetriever, questions: list[str], **switches: bool) -> dict[str, float]:
    times = []
    for question in questions:
        keyword_query = expand_with_lexicon(question)
        started = time.perf_counter()
        retriever.retrieve(question, keyword_query, **switches)
        times.append((time.perf_counter() - started) * 1000)
    return summarise(times)


def measure_size(procedures: list[Path], copies: int, embedder: CachingEmbedder, work_dir: Path,
                 options: IndexOptions, questions: list[str]) -> dict[str, Any]:
    corpus = stage_copies(procedures, work_dir / f"scale-{copies}x-corpus", copies)
    misses_before = embedder.misses
    report, index = index_fresh(corpus, embedder, work_dir / f"scale-{copies}x-data", options)
    retriever = HybridRetriever(embedder, index)
    started = time.perf_counter()
    retriever.chunk_count()  # the keyword index and the records are built on first use
    keyword_build_s = time.perf_counter() - started
    for question in questions:
        embedder.embed_query(question)  # query vectors once, outside the timings
    _search_times(retriever, questions[:10])  # warm
    row = {
        "copies": copies, "files": report.records, "chunks": report.chunks_total,
        "index_s": round(report.seconds, 2), "index_chunks_per_s": round(report.chunks_total / report.seconds, 1),
        "embedded_during_index": embedder.misses - misses_before, "keyword_build_s": round(keyword_build_s, 3),
        "search": _search_times(retriever, questions), "dense_only": _search_times(retriever, questions, keyword=False),
        "bm25_only": _search_times(retriever, questions, dense=False),
    }
    shutil.rmtree(corpus.parent, ignore_errors=True)
    return row


def growth(sizes: list[float], values: list[float]) -> dict[str, Any]:
    """The exponent b of value ~ size^b between the smallest and largest sizes, and what it means."""
    if len(sizes) < 2 or min(values) <= 0 or sizes[0] == sizes[-1]:
        return {"exponent": None, "reads": "not measured"}
    exponent = math.log(values[-1] / values[0]) / math.log(sizes[-1] / sizes[0])
    if exponent >= 0.85:
        reads = "linear" if exponent <= 1.15 else "super-linear"
    elif exponent > 0.15:
        reads = "sub-linear"
    else:
        reads = "flat (about constant)"
    return {"exponent": round(exponent, 2), "reads": reads}


def measure_scaling(procedures: list[Path], multipliers: tuple[int, ...], embedder: CachingEmbedder, work_dir: Path,
                    options: IndexOptions, questions: list[str]) -> dict[str, Any]:
    rows = []
    for copies in multipliers:
        row = measure_size(procedures, copies, embedder, work_dir, options, questions)
        rows.append(row)
        print(f"  scale {copies:>2d}x  {row['chunks']:6d} chunks  index {row['index_s']:7.2f} s  "
              f"search p50 {row['search']['p50_ms']:6.2f} ms  (dense {row['dense_only']['p50_ms']:.2f}, "
              f"bm25 {row['bm25_only']['p50_ms']:.2f})")
    chunks = [float(r["chunks"]) for r in rows]
    return {
        "method": "synthetic copies (new ids, same texts); passage vectors reused from the 1x end-to-end run; "
                  "search = in-process retriever with precomputed query vectors",
        "rows": rows,
        "growth": {
            "index_s": growth(chunks, [r["index_s"] for r in rows]),
            "search_p50": growth(chunks, [r["search"]["p50_ms"] for r in rows]),
            "dense_p50": growth(chunks, [r["dense_only"]["p50_ms"] for r in rows]),
            "bm25_p50": growth(chunks, [r["bm25_only"]["p50_ms"] for r in rows]),
            "keyword_build_s": growth(chunks, [r["keyword_build_s"] for r in rows]),
        },
    }
