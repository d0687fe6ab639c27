"""The catalogue import: each bad line named by its number and the rest imported; a re-import embeds only the
changed procedures; procedures missing from a new file are removed only when pruning, and exactly those."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.embedders import FakeEmbedder
from core.settings import Settings
from ingestion.catalogue import line_from_record, parse_catalogue
from ingestion.importing import apply_entries, index_stored_sources
from ingestion.loaders import load_document
from ingestion.pipeline import IndexOptions
from storage.database import Database
from storage.documents import DocumentStore
from tests.conftest import CORPUS, open_index

BAD_LINES = {17: "not valid JSON", 42: "missing key 'title'", 88: "unknown key 'prix'"}


def corpus_lines(count: int) -> list[dict]:
    """`count` catalogue lines made from our corpus records, with ids of their own so they are new procedures."""
    lines = []
    for path in sorted((CORPUS / "procedures").glob("*/*.md")):
        doc = load_document(path, path.name, 1_000_000)
        assert doc.record is not None
        line = line_from_record(doc.record, doc.body)
        line["id"] = f"cat-{line['id']}"
        lines.append(line)
    while len(lines) < count:  # more lines than the corpus has: copies under other ids
        extra = dict(lines[len(lines) % 123], id=f"cat-extra-{len(lines)}")
        lines.append(extra)
    return lines[:count]


def jsonl(lines: list[dict], bad: dict[int, str] | None = None) -> bytes:
    text = [json.dumps(line, ensure_ascii=False) for line in lines]
    for number in bad or {}:
        if "JSON" in BAD_LINES[number]:
            text[number - 1] = text[number - 1][:-5]
        elif "title" in BAD_LINES[number]:
            text[number - 1] = json.dumps({k: v for k, v in lines[number - 1].items() if k != "title"})
        else:
            text[number - 1] = json.dumps({**lines[number - 1], "prix": "20 DH"})
    return ("\n".join(text) + "\n").encode()


def test_a_100_line_file_with_3_bad_lines_imports_97_and_names_the_3() -> None:
    parsed = parse_catalogue(jsonl(corpus_lines(100), BAD_LINES), "catalogue")
    assert len(parsed.entries) == 97
    assert [n for n, _ in parsed.errors] == sorted(BAD_LINES)
    for (number, reason), expected in zip(parsed.errors, [BAD_LINES[n] for n in sorted(BAD_LINES)], strict=True):
        assert expected in reason, (number, reason)


def test_the_same_procedure_and_language_twice_names_the_second_line() -> None:
    lines = corpus_lines(2)
    parsed = parse_catalogue(jsonl([lines[0], lines[1], lines[0]]), "catalogue")
    assert len(parsed.entries) == 2 and parsed.errors == [(3, f"{lines[0]['id']} ({lines[0]['lang']}) is already on line 1")]


def test_a_line_maps_the_portal_fields_to_the_record_with_their_provenance() -> None:
    line = {"id": "permis-chasse", "lang": "fr", "title": "Permis de chasse", "price": "Timbre : 300 DH",
            "average_delay": "15 jours", "receiving_administration": "Caïdat du domicile",
            "delivering_administration": "Province", "validity_days": 365, "website": "https://www.eauxetforets.gov.ma",
            "documents": [{"section": "Première demande", "items": ["CNIE", "Photo"]},
                          {"section": "Renouvellement", "items": ["Ancien permis"]}],
            "source_url": "https://www.idarati.ma/x", "updated": "2026-10-01"}
    parsed = parse_catalogue(json.dumps(line).encode(), "portail")
    from ingestion.catalogue import load_entry

    doc = load_entry(parsed.entries[0].content, "uploads/permis-chasse/fr.json", "h")
    record = doc.record
    assert record is not None and record.structured
    assert [f.amount_mad for f in record.fees or []] == [300.0] and record.delay == "15 jours"
    assert record.administration == "Province" and record.where == "Caïdat du domicile"
    assert record.validity == "365 jours" and record.online_service is not None
    assert record.documents == ["Première demande: CNIE", "Première demande: Photo", "Renouvellement: Ancien permis"]
    assert record.field_sources["delay"].via == "catalogue field 'average_delay'"
    assert record.field_sources["fees"].source == "https://www.idarati.ma/x"
    assert str(record.field_sources["fees"].date) == "2026-10-01"
    assert "## Pièces à fournir" in doc.body and "## Délai" in doc.body


@pytest.fixture
def stack(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "data", embedder="fake", _env_file=None)  # type: ignore[call-arg]
    database = Database(f"sqlite:///{tmp_path / 'sahla.db'}")
    database.migrate()
    documents = DocumentStore(database)
    embedder = FakeEmbedder()
    index = open_index(settings, embedder)
    (tmp_path / "corpus").mkdir()

    def run(data: bytes, prune: bool = False):
        parsed = parse_catalogue(data, "catalogue")
        applied = apply_entries(documents, "catalogue", parsed.entries, prune)
        report = index_stored_sources(tmp_path / "corpus", tmp_path / "data" / "uploads", documents, embedder, index,
                                      IndexOptions())
        return applied, report

    yield run, index
    database.close()


def indexed_procedures(index) -> set[str]:
    return {c.metadata["procedure_id"] for c in index.all_chunks()}


def test_a_second_import_with_2_lines_changed_embeds_only_those_2_procedures(stack) -> None:
    run, index = stack
    lines = corpus_lines(100)
    first, report = run(jsonl(lines, BAD_LINES))
    assert len(first.added) == 97 and len(report.added) == 97 and not report.failed
    lines[4] = {**lines[4], "delay": "Trois jours"}
    lines[60] = {**lines[60], "title": lines[60]["title"] + " (mise à jour)"}
    second, report = run(jsonl(lines, BAD_LINES))
    assert sorted(second.changed) == sorted(f"{lines[n]['id']}.{lines[n]['lang']}" for n in (4, 60))
    assert len(second.unchanged) == 95 and len(report.updated) == 2 and len(report.unchanged) == 95
    changed_keys = {f"uploads/{lines[n]['id']}/{lines[n]['lang']}.json" for n in (4, 60)}
    assert set(report.updated) == changed_keys
    # Exactly the chunks of those two procedures were embedded; the others' vectors were carried over.
    assert report.chunks_embedded == sum(c.metadata["source_key"] in changed_keys for c in index.all_chunks()) > 0


def test_prune_removes_exactly_the_procedures_missing_from_the_new_file(stack) -> None:
    run, index = stack
    lines = corpus_lines(12)
    run(jsonl(lines))
    kept = lines[:9]
    missing = {f"{line['id']}.{line['lang']}" for line in lines[9:]}
    without_prune, _ = run(jsonl(kept))
    assert set(without_prune.kept_missing) == missing and not without_prune.removed
    assert {line["id"] for line in lines} <= indexed_procedures(index)
    pruned, report = run(jsonl(kept), prune=True)
    assert set(pruned.removed) == missing and len(report.deleted) == 3
    left = {(c.metadata["procedure_id"], c.metadata["language"]) for c in index.all_chunks()}
    assert left == {(line["id"], line["lang"]) for line in kept}
