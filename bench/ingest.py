"""Raw embedder throughput against end-to-end indexing throughput, side by side in one run, plus the time of a
no-change incremental re-run. Usage: python bench/ingest.py [--corpus corpus] (also part of `make bench`)."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.embedders import Embedder, build_embedder  # noqa: E402
from core.index_store import ChromaIndex, connect  # noqa: E402
from core.settings import Settings  # noqa: E402
from ingestion.chunking import chunk_document  # noqa: E402
from ingestion.loaders import load_document  # noqa: E402
from ingestion.pipeline import IndexOptions, IndexReport, discover_sources, run_index  # noqa: E402


class CachingEmbedder:
    """Wraps an embedder and keeps every vector it produced, by text. Passes through while `record` is set; serves
    from the cache (embedding only what it has never seen) otherwise. Synthetic copies of the corpus have the texts
    of the original, so indexing them measures the store, the loaders and the chunker, not the model."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self.passages: dict[str, np.ndarray] = {}
        self.queries: dict[str, np.ndarray] = {}
        self.misses = 0

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self.queries:
            self.queries[text] = self.inner.embed_query(text)
        return self.queries[text]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        unseen = [t for t in texts if t not in self.passages]  # repeats included: the real embedder sees them too
        if unseen:
            self.misses += len(unseen)
            for text, vector in zip(unseen, self.inner.embed_passages(unseen), strict=True):
                self.passages[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.passages[t] for t in texts])


def bench_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "chroma_url": None, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def open_index(settings: Settings, embedder: Embedder) -> ChromaIndex:
    return ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)


def corpus_texts(corpus: Path, options: IndexOptions) -> list[str]:
    return [c.text for key, path in discover_sources([corpus]).items()
            for c in chunk_document(load_document(path, key, options.max_file_bytes), options.chunk_size,
                                    options.chunk_overlap)]


def raw_embedding_seconds(embedder: Embedder, texts: list[str], batch_size: int) -> float:
    """Seconds the embedder alone takes for these passages, in the indexer's batches."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        embedder.embed_passages(texts[start:start + batch_size])
    return time.perf_counter() - started


def index_fresh(corpus: Path, embedder: Embedder, data_dir: Path, options: IndexOptions) -> tuple[IndexReport,
                                                                                                   ChromaIndex]:
    shutil.rmtree(data_dir, ignore_errors=True)
    index = open_index(bench_settings(data_dir), embedder)
    report = run_index([corpus], embedder, index, options)
    if report.failed:
        raise RuntimeError(f"indexing failed for {report.failed}")
    return report, index


def measure_ingestion(corpus: Path, embedder: CachingEmbedder, work_dir: Path, options: IndexOptions) -> dict[str, Any]:
    """Raw embedder passages/s around a fresh end-to-end index of the same corpus (through `embedder`, which keeps
    the vectors for the scaling runs: a dict insert per chunk), then a no-change incremental re-run."""
    texts = corpus_texts(corpus, options)
    # The raw embedder runs on half the chunks before the end-to-end run and on the other half after it, so that a
    # change in this machine's load during the run weighs on both figures alike.
    first_half, second_half = texts[::2], texts[1::2]
    raw_seconds = raw_embedding_seconds(embedder.inner, first_half, options.batch_size)
    report, index = index_fresh(corpus, embedder, work_dir / "ingest-1x", options)
    raw_seconds += raw_embedding_seconds(embedder.inner, second_half, options.batch_size)
    raw = len(texts) / raw_seconds
    end_to_end = report.chunks_embedded / report.seconds
    again = run_index([corpus], embedder, index, options)
    return {
        "embedder": embedder.name, "chunks": len(texts), "files": report.records,
        "raw_passages_per_s": round(raw, 2), "end_to_end_chunks_per_s": round(end_to_end, 2),
        "end_to_end_over_raw": round(end_to_end / raw, 3), "end_to_end_s": round(report.seconds, 2),
        "no_change_rerun_s": round(again.seconds, 3), "no_change_rerun_switched": again.switched,
        "aims": {"end_to_end_over_raw_above_0.8": end_to_end / raw > 0.8, "no_change_rerun_under_2s": again.seconds < 2},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--work-dir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    settings = Settings()
    embedder = CachingEmbedder(build_embedder(settings))
    options = IndexOptions(settings.chunk_size, settings.chunk_overlap, settings.max_file_bytes,
                           settings.embed_batch_size)
    result = measure_ingestion(args.corpus, embedder, args.work_dir, options)
    print(f"embedder                        {result['embedder']}")
    print(f"chunks                          {result['chunks']}")
    print(f"raw embedder (passages/s)       {result['raw_passages_per_s']:.1f}")
    print(f"end-to-end indexing (chunks/s)  {result['end_to_end_chunks_per_s']:.1f}")
    print(f"ratio end-to-end / raw          {result['end_to_end_over_raw']:.2f}   (aim: above 0.8)")
    print(f"no-change re-run (s)            {result['no_change_rerun_s']:.2f}   (aim: under 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
