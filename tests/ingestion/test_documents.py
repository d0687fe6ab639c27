"""Any document becomes a record: the fields its sections state, each with its provenance, and a card in the
index even when it states none (text-only)."""

from __future__ import annotations

import json
from pathlib import Path

from core.records import ProcedureRecord
from ingestion.chunking import chunk_document
from ingestion.loaders import load_document
from tests.ingestion.documents import (
    DOCX_AR,
    HTML_AR,
    HTML_FR,
    HTML_NO_SECTIONS,
    PDF_LINES_FR,
    docx_bytes,
    pdf_bytes,
)


def load(tmp_path: Path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return load_document(path, f"uploads/{name}", 1_000_000)


def test_an_html_page_in_french_gives_documents_fee_delay_and_where(tmp_path: Path) -> None:
    record = load(tmp_path, "permis-peche.fr.html", HTML_FR).record
    assert record is not None and record.structured
    assert record.documents == ["Copie de la CNIE", "Une photo d'identité", "Quittance de paiement de la redevance"]
    assert [(f.label, f.amount_mad) for f in record.fees or []] == [("Redevance annuelle", 150.0)]
    assert record.delay == "Le permis est délivré le jour même du dépôt."
    assert record.where and record.where.startswith("Direction régionale")
    assert record.validity is None and record.administration is None  # not in the page: not made up
    assert record.field_sources["fees"].source == "uploads/permis-peche.fr.html"


def test_an_arabic_html_page_gives_its_fields(tmp_path: Path) -> None:
    doc = load(tmp_path, "rokhsat-sayd.ar.html", HTML_AR)
    record = doc.record
    assert record is not None and record.lang == "ar" and record.title == "رخصة حمل السلاح للصيد"
    assert record.documents is not None and len(record.documents) == 3
    assert [f.amount_mad for f in record.fees or []] == [300.0]
    assert record.delay == "خمسة عشر يوما من تاريخ إيداع الملف"
    assert "## التكلفة" in doc.body


def test_a_pdf_with_labelled_lines_gives_its_fields(tmp_path: Path) -> None:
    record = load(tmp_path, "autorisation-tournage.fr.pdf", pdf_bytes(PDF_LINES_FR)).record
    assert record is not None and record.title == "Autorisation de tournage de films"
    assert record.documents == ["Demande signee par le producteur", "Synopsis du film", "Liste de l'equipe technique"]
    assert [f.amount_mad for f in record.fees or []] == [2000.0]
    assert record.delay == "10 jours ouvrables" and record.where == "Centre cinematographique marocain, Rabat"


def test_an_arabic_docx_gives_its_fields_and_free_is_a_zero_fee(tmp_path: Path) -> None:
    record = load(tmp_path, "carte-transport-handicap.ar.docx", docx_bytes(*DOCX_AR)).record
    assert record is not None and record.lang == "ar"
    assert record.documents == ["نسخة من البطاقة الوطنية", "شهادة الإعاقة", "صورتان شمسيتان"]
    assert [f.amount_mad for f in record.fees or []] == [0.0]
    assert record.delay == "شهر واحد" and record.where == "المندوبية الجهوية للتضامن"


def test_a_page_without_recognisable_sections_is_a_text_only_record_with_a_card(tmp_path: Path) -> None:
    doc = load(tmp_path, "guichet-artisans.fr.html", HTML_NO_SECTIONS)
    record = doc.record
    assert record is not None and not record.structured
    assert record.documents is None and record.fees is None and record.delay is None
    chunks = chunk_document(doc, 900, 120)
    card = chunks[0]
    assert card.metadata["kind"] == "card" and card.metadata["structured"] is False
    assert ProcedureRecord.model_validate_json(card.metadata["record"]).title == "Le guichet des artisans"
    assert "maîtres artisans" in card.metadata["body"]
    assert any("maîtres artisans" in c.text for c in chunks[1:])  # its passages are indexed too


def test_a_structured_card_carries_its_field_sources(tmp_path: Path) -> None:
    card = chunk_document(load(tmp_path, "permis-peche.fr.html", HTML_FR), 900, 120)[0]
    sources = json.loads(card.metadata["record"])["field_sources"]
    assert card.metadata["structured"] is True
    assert sources["documents"]["via"] == "section 'Pièces à fournir'"
    assert "150 MAD" in card.text


def test_a_corpus_record_names_its_file_and_review_date_for_every_field() -> None:
    from tests.conftest import CORPUS

    path = CORPUS / "procedures" / "passeport-biometrique" / "fr.md"
    record = load_document(path, "corpus/procedures/passeport-biometrique/fr.md", 1_000_000).record
    assert record is not None
    assert {"documents", "fees", "delay", "where", "validity"} <= set(record.field_sources)
    fees = record.field_sources["fees"]
    assert fees.source == "corpus/procedures/passeport-biometrique/fr.md" and fees.date == record.last_reviewed
