"""The synthetic national catalogue (bench/catalogue.py): what it writes goes through the catalogue import as is,
and an index of a 300-procedure slice beside our corpus answers and declines as the corpus alone does."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from bench.catalogue import ID_PREFIX, procedure_lines, stage_entries, write_catalogue
from bench.catalogue_vocab import FAMILIES
from core.embedders import FakeEmbedder
from ingestion.catalogue import parse_catalogue
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import CORPUS, make_settings, open_index

SLICE = 300


def test_a_national_size_catalogue_imports_every_line_without_an_error(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.jsonl"
    assert write_catalogue(path, 2500) == 5000
    parsed = parse_catalogue(path.read_bytes(), "synthetic")
    assert parsed.errors == []
    assert len(parsed.entries) == 5000
    assert Counter(e.language for e in parsed.entries) == {"fr": 2500, "ar": 2500}


def test_every_synthetic_procedure_is_labelled_as_test_data_by_its_id_and_source() -> None:
    for line in procedure_lines(SLICE):
        assert line["id"].startswith(ID_PREFIX)
        assert line["source_url"].startswith("https://catalogue-synthetique.test/")


def test_the_same_seed_gives_the_same_catalogue_and_another_seed_another() -> None:
    assert procedure_lines(50, seed=3) == procedure_lines(50, seed=3)
    assert procedure_lines(50, seed=3) != procedure_lines(50, seed=4)


def test_a_slice_holds_every_family_with_near_duplicates_and_darija_aliases_on_a_share() -> None:
    lines = [line for line in procedure_lines(SLICE) if line["lang"] == "fr"]
    families = Counter(line["id"].split("-")[1] for line in lines)
    assert set(families) == {f.key for f in FAMILIES}
    # Near-duplicates: one object of one family offered to several audiences, by several administrations or acts.
    variants = Counter("-".join(line["id"].split("-")[1:3]) for line in lines)
    assert variants.most_common(1)[0][1] >= 3
    with_darija = sum("aliases" in line for line in lines) / len(lines)
    assert 0.2 <= with_darija <= 0.4


def test_asking_for_more_procedures_than_the_families_make_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="at most"):
        procedure_lines(1_000_000)


@pytest.fixture(scope="module")
def slice_pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[AnswerPipeline, list[dict], int]:
    """Our corpus and a 300-procedure slice of the catalogue (600 lines) in one index, with the fake embedder."""
    root = tmp_path_factory.mktemp("catalogue-slice")
    write_catalogue(root / "catalogue.jsonl", SLICE)
    stage_entries(root / "catalogue.jsonl", root / "synthetic")
    embedder = FakeEmbedder()
    index = open_index(make_settings(root / "data"), embedder)
    report = run_index([CORPUS, root / "synthetic"], embedder, index, IndexOptions())
    assert report.failed == {}
    lines = [json.loads(line) for line in (root / "catalogue.jsonl").read_text(encoding="utf-8").splitlines()]
    return AnswerPipeline(HybridRetriever(embedder, index)), lines, report.chunks_total


def test_the_slice_indexes_every_line_into_several_chunks(slice_pipeline) -> None:
    _, lines, chunks = slice_pipeline
    assert len(lines) == 2 * SLICE
    assert chunks >= 8 * len(lines)  # card + about eight sections a line: 2,500 procedures make over 40,000


@pytest.mark.parametrize(("question", "procedure"), [
    ("Comment obtenir un extrait d'acte de naissance ?", "extrait-acte-naissance"),
    ("ما هي وثائق جواز السفر البيومتري؟", "passeport-biometrique"),
    ("Combien coûte la vignette automobile ?", "vignette-automobile"),
    ("كيف أحصل على السجل العدلي؟", "casier-judiciaire"),
])
def test_a_corpus_question_is_still_answered_by_its_procedure_among_the_catalogue(
        slice_pipeline, question: str, procedure: str) -> None:
    context = slice_pipeline[0].run(question)
    assert context.status == "answered"
    assert context.chosen is not None and context.chosen.procedure_id == procedure


@pytest.mark.parametrize("position", [0, 7, 301])
def test_a_synthetic_procedure_asked_by_its_title_is_answered_from_its_own_line(slice_pipeline, position: int) -> None:
    pipeline, lines, _ = slice_pipeline
    line = lines[position]
    context = pipeline.run(line["title"])
    assert context.status == "answered"
    assert context.chosen is not None and context.chosen.procedure_id == line["id"]
    assert context.citations and context.citations[0].procedure_id == line["id"]


@pytest.mark.parametrize("message", ["Quelle est la recette du tajine ?", "Who won the football match yesterday?",
                                     "شنو هي أحسن وصفة ديال الكسكس؟"])
def test_a_message_about_no_public_service_is_declined_with_the_catalogue_indexed(slice_pipeline, message: str) -> None:
    context = slice_pipeline[0].run(message)
    assert context.status != "answered"
    assert context.citations == []
