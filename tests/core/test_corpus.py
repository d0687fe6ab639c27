"""Every corpus record is valid against the spec, and every procedure exists in all three languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.records import LANGUAGES
from ingestion.loaders import load_document
from tests.conftest import CORPUS

SPEC_IDS = [
    "cnie-premiere-demande", "cnie-renouvellement", "passeport-biometrique", "extrait-acte-naissance",
    "declaration-naissance", "dossier-mariage", "declaration-deces", "livret-famille", "certificat-residence",
    "legalisation-signature", "copie-conforme", "certificat-nationalite", "certificat-vie",
    "immatriculation-consulaire", "casier-judiciaire", "permis-conduire", "echange-permis-etranger",
    "carte-grise-mutation", "vignette-automobile", "auto-entrepreneur", "certificat-negatif",
    "creation-entreprise", "taxe-professionnelle", "amo-inscription", "cnss-immatriculation",
    "bourse-enseignement-superieur", "registre-social-unifie", "aide-sociale-directe",
    "pension-retraite-cnss", "carte-handicap", "permis-construire", "certificat-propriete",
    "branchement-eau-electricite", "reclamation-chikaya", "acces-information",
    "inscription-listes-electorales", "declaration-ir", "attestation-regularite-fiscale", "taxe-habitation",
    "equivalence-diplome", "inscription-scolaire",
]
RECORDS = sorted((CORPUS / "procedures").glob("*/*.md"))


def test_every_spec_procedure_exists_in_all_three_languages() -> None:
    found = {(p.parent.name, p.stem) for p in RECORDS}
    assert len(SPEC_IDS) == 41
    assert found == {(i, lang) for i in SPEC_IDS for lang in LANGUAGES}


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_record_is_valid(path: Path) -> None:
    doc = load_document(path, path.name, 1_000_000)  # raises LoadError naming the problem
    record = doc.record
    assert record is not None
    assert record.id == path.parent.name and record.lang == path.stem
    assert str(record.source_url).startswith("https://")
    assert all(isinstance(f.amount_mad, float | int) for f in record.fees)
    assert any(re.search("[\u0600-\u06ff]", a) for a in record.aliases)
    assert any(re.search("[a-z]", a) for a in record.aliases)


@pytest.mark.parametrize("procedure_id", SPEC_IDS)
def test_languages_agree_on_the_facts(procedure_id: str) -> None:
    records = [load_document(CORPUS / "procedures" / procedure_id / f"{lang}.md", lang, 1_000_000).record
               for lang in LANGUAGES]
    first = records[0]
    assert first is not None
    for other in records[1:]:
        assert other is not None
        assert other.category == first.category
        assert [f.amount_mad for f in other.fees] == [f.amount_mad for f in first.fees]
        assert other.source_url == first.source_url
