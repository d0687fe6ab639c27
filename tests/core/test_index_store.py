"""The index's read path: the active generation is resolved once every few seconds, and a generation dropped by a
re-index elsewhere is noticed on the next query."""

from __future__ import annotations

from pathlib import Path

from assistant.retrieval import HybridRetriever
from core.index_store import connect
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import open_index
from tests.ingestion.test_pipeline import small_corpus

OPTIONS = IndexOptions(batch_size=8)


def test_nearest_gives_the_ids_and_scores_that_query_gives(tmp_path: Path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    run_index([small_corpus(tmp_path)], embedder, index, OPTIONS)
    vector = embedder.embed_query("passeport biométrique timbre")
    hits = index.query(vector, 5)
    assert index.nearest(vector, 5) == [(h.chunk.id, h.score) for h in hits] and len(hits) == 5


def test_a_reader_holding_a_generation_dropped_by_another_writer_reads_the_new_one(tmp_path, settings,
                                                                                   embedder) -> None:
    writer = open_index(settings, embedder)
    run_index([small_corpus(tmp_path / "a", ("certificat-residence",))], embedder, writer, OPTIONS)
    reader = open_index(settings, embedder)
    vector = embedder.embed_query("passeport biométrique timbre")
    assert {h.chunk.metadata["procedure_id"] for h in reader.query(vector, 3)} == {"certificat-residence"}

    # Another process (here another client object) rebuilds: the reader's generation is dropped.
    other_writer = open_index(settings, embedder)
    run_index([small_corpus(tmp_path / "b", ("passeport-biometrique",))], embedder, other_writer, OPTIONS, full=True)
    assert len(connect(settings).list_collections()) == 2  # the pointer and the new generation only

    assert {h.chunk.metadata["procedure_id"] for h in reader.query(vector, 3)} == {"passeport-biometrique"}
    assert all("/passeport-biometrique/" in chunk_id for chunk_id, _ in reader.nearest(vector, 3))


def test_the_dense_channel_follows_a_new_generation_before_the_keyword_view_does(tmp_path, settings,
                                                                                 embedder) -> None:
    index = open_index(settings, embedder)
    run_index([small_corpus(tmp_path / "a", ("certificat-residence",))], embedder, index, OPTIONS)
    retriever = HybridRetriever(embedder, index)
    assert retriever.retrieve("passeport", "passeport").candidates[0].procedure_id == "certificat-residence"

    run_index([small_corpus(tmp_path / "b", ("passeport-biometrique",))], embedder, open_index(settings, embedder),
              OPTIONS, full=True)
    # The keyword view still holds the old chunks for a few seconds; the dense channel must not lose the new ones.
    dense = retriever.retrieve("passeport", "passeport", keyword=False).candidates
    assert [c.procedure_id for c in dense] == ["passeport-biometrique"] and dense[0].chunks
