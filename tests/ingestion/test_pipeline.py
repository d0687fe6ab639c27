"""Incremental indexing, atomic switch of generations, and what bad files do to an index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.embedders import FakeEmbedder
from core.index_store import IndexMismatchError
from core.settings import Settings
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import CORPUS, open_index

OPTIONS = IndexOptions()


def small_corpus(tmp_path: Path, ids: tuple[str, ...] = ("certificat-residence", "passeport-biometrique")) -> Path:
    root = tmp_path / "corpus"
    for procedure_id in ids:
        shutil.copytree(CORPUS / "procedures" / procedure_id, root / "procedures" / procedure_id)
    return root


def test_first_run_adds_every_file_and_puts_a_generation_in_service(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    report = run_index([small_corpus(tmp_path)], embedder, index, OPTIONS)
    assert report.counts == {"added": 6, "updated": 0, "deleted": 0, "unchanged": 0, "failed": 0}
    assert report.switched and index.generation() is not None
    assert len(index.all_chunks()) == report.chunks_total > 6


def test_second_run_without_changes_embeds_nothing_and_keeps_the_generation(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    root = small_corpus(tmp_path)
    run_index([root], embedder, index, OPTIONS)
    generation, calls = index.generation(), embedder.calls
    report = run_index([root], embedder, index, OPTIONS)
    assert report.counts["unchanged"] == 6 and report.chunks_embedded == 0
    assert embedder.calls == calls and index.generation() == generation and not report.switched


def test_changed_file_replaces_its_chunks_and_only_it_is_embedded(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    root = small_corpus(tmp_path)
    run_index([root], embedder, index, OPTIONS)
    path = root / "procedures" / "certificat-residence" / "fr.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## Bon à savoir", "## Bon à savoir\nNouveau guichet."),
                    encoding="utf-8")
    report = run_index([root], embedder, index, OPTIONS)
    assert report.updated == ["corpus/procedures/certificat-residence/fr.md"]
    assert report.counts["unchanged"] == 5
    texts = [c.text for c in index.all_chunks() if c.metadata["source_key"].endswith("certificat-residence/fr.md")]
    assert any("Nouveau guichet." in t for t in texts)
    assert len({c.id for c in index.all_chunks()}) == len(index.all_chunks())


def test_removed_file_loses_its_chunks(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    root = small_corpus(tmp_path)
    run_index([root], embedder, index, OPTIONS)
    (root / "procedures" / "passeport-biometrique" / "en.md").unlink()
    report = run_index([root], embedder, index, OPTIONS)
    assert report.deleted == ["corpus/procedures/passeport-biometrique/en.md"]
    assert not [c for c in index.all_chunks() if c.metadata["source_key"].endswith("passeport-biometrique/en.md")]


def test_broken_edit_is_reported_and_the_previous_version_keeps_serving(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    root = small_corpus(tmp_path)
    run_index([root], embedder, index, OPTIONS)
    before = {c.id for c in index.all_chunks()}
    (root / "procedures" / "certificat-residence" / "ar.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (root / "procedures" / "new-thing").mkdir()
    (root / "procedures" / "new-thing" / "fr.md").write_bytes(b"\xff\xfe\x00garbage")
    report = run_index([root], embedder, index, OPTIONS)
    assert set(report.failed) == {"corpus/procedures/certificat-residence/ar.md", "corpus/procedures/new-thing/fr.md"}
    assert "invalid YAML" in report.failed["corpus/procedures/certificat-residence/ar.md"]
    assert "not UTF-8" in report.failed["corpus/procedures/new-thing/fr.md"]
    assert {c.id for c in index.all_chunks()} == before


def test_chunk_ids_are_deterministic(tmp_path, embedder) -> None:
    root = small_corpus(tmp_path)
    ids = []
    for n in range(2):
        settings = Settings(data_dir=tmp_path / f"d{n}", embedder="fake", _env_file=None)  # type: ignore[call-arg]
        index = open_index(settings, embedder)
        run_index([root], embedder, index, OPTIONS)
        ids.append(sorted(c.id for c in index.all_chunks()))
    assert ids[0] == ids[1]
    assert "corpus/procedures/certificat-residence/fr.md#card" in ids[0]


def test_every_chunk_carries_the_metadata_a_citation_needs(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    run_index([small_corpus(tmp_path)], embedder, index, OPTIONS)
    for chunk in index.all_chunks():
        for key in ("procedure_id", "language", "title", "category", "administration", "section", "source_url"):
            assert chunk.metadata.get(key), (chunk.id, key)


def test_index_built_by_another_embedder_is_a_clear_error(tmp_path, settings, embedder) -> None:
    root = small_corpus(tmp_path)
    run_index([root], embedder, open_index(settings, embedder), OPTIONS)
    other = FakeEmbedder(dimension=32)
    with pytest.raises(IndexMismatchError, match="built with embedder fake-64"):
        run_index([root], other, open_index(settings, other), OPTIONS)
    with pytest.raises(IndexMismatchError):
        open_index(settings, other).all_chunks()


def test_full_rebuild_moves_the_index_to_a_new_embedder(tmp_path, settings, embedder) -> None:
    root = small_corpus(tmp_path)
    run_index([root], embedder, open_index(settings, embedder), OPTIONS)
    other = FakeEmbedder(dimension=32)
    index = open_index(settings, other)
    report = run_index([root], other, index, OPTIONS, full=True)
    assert report.switched and report.chunks_embedded == report.chunks_total
    assert index.pointer()["embedder"] == "fake-32"


def test_failed_build_leaves_the_previous_generation_serving(tmp_path, settings, embedder) -> None:
    index = open_index(settings, embedder)
    root = small_corpus(tmp_path)
    run_index([root], embedder, index, OPTIONS)
    generation = index.generation()

    class Exploding(FakeEmbedder):
        def embed_passages(self, texts):
            raise RuntimeError("disk full")

    exploding = Exploding()
    with pytest.raises(RuntimeError, match="disk full"):
        run_index([root], exploding, open_index(settings, exploding), OPTIONS, full=True)
    assert index.generation() == generation
    assert index.all_chunks()


def test_a_document_indexed_without_a_record_card_is_indexed_again_alone(tmp_path, settings, embedder) -> None:
    from ingestion.loaders import load_document
    from tests.ingestion.documents import HTML_FR

    root = small_corpus(tmp_path)
    page = root / "procedures" / "permis-peche" / "fr.html"
    page.parent.mkdir(parents=True)
    page.write_text(HTML_FR, encoding="utf-8")
    index = open_index(settings, embedder)
    run_index([root], embedder, index, OPTIONS)
    # As an index built before every document had a card holds it: the same chunks less the card.
    collection = index.active_collection()
    collection.delete(ids=["corpus/procedures/permis-peche/fr.html#card"])
    assert load_document(page, "x", 1_000_000).record is not None
    report = run_index([root], embedder, index, OPTIONS)
    assert report.updated == ["corpus/procedures/permis-peche/fr.html"] and len(report.unchanged) == 6
    assert any(c.id.endswith("fr.html#card") for c in index.all_chunks())
