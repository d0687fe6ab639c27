"""Raw embedder throughput against end-to-end indexing throughput, side by side in one run, plus the time of a
no-change incremental re-run. Usage: python bench/ingest.py [--corpus corpus]"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.embedders import build_embedder  # noqa: E402
from core.index_store import ChromaIndex, connect  # noqa: E402
from core.settings import Settings  # noqa: E402
from ingestion.chunking import chunk_document  # noqa: E402
from ingestion.loaders import load_document  # noqa: E402
from ingestion.pipeline import IndexOptions, discover_sources, run_index  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="sahla-bench-")))
    embedder = build_embedder(settings)
    options = IndexOptions(settings.chunk_size, settings.chunk_overlap, settings.max_file_bytes,
                           settings.embed_batch_size)
    texts = [c.text for key, path in discover_sources([args.corpus]).items()
             for c in chunk_document(load_document(path, key, options.max_file_bytes), options.chunk_size,
                                     options.chunk_overlap)]
    started = time.perf_counter()
    for start in range(0, len(texts), options.batch_size):
        embedder.embed_passages(texts[start:start + options.batch_size])
    raw = len(texts) / (time.perf_counter() - started)

    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    report = run_index([args.corpus], embedder, index, options)
    end_to_end = report.chunks_embedded / report.seconds
    again = run_index([args.corpus], embedder, index, options)
    print(f"embedder                        {embedder.name}")
    print(f"chunks                          {len(texts)}")
    print(f"raw embedder (passages/s)       {raw:.1f}")
    print(f"end-to-end indexing (chunks/s)  {end_to_end:.1f}")
    print(f"ratio end-to-end / raw          {end_to_end / raw:.2f}   (aim: above 0.8)")
    print(f"no-change re-run (s)            {again.seconds:.2f}   (aim: under 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
