"""Fields read from a document's text: headings and labels in three languages, amounts, free, nothing guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from ingestion.fields import extract_fields, parse_amount, read_fees, section_of

DAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(("heading", "section"), [
    ("Pièces à fournir", "documents"), ("PIECES A FOURNIR :", "documents"), ("الوثائق المطلوبة", "documents"),
    ("Required documents", "documents"), ("Coût", "fees"), ("Frais", "fees"), ("التكلفة", "fees"),
    ("الرسوم", "fees"), ("Cost", "fees"), ("Délai", "delay"), ("الآجال", "delay"), ("الاجال", "delay"),
    ("المدة", "delay"), ("Processing time", "delay"), ("Où s'adresser", "where"), ("الجهة المختصة", "where"),
    ("Where to apply", "where"), ("Validité", "validity"), ("مدة الصلاحية", "validity"),
    ("Historique de la réforme", None), ("Le passeport est délivré par la préfecture du domicile", None),
])
def test_headings_and_labels_are_recognised_in_french_arabic_and_english(heading: str, section) -> None:
    assert section_of(heading) == section


@pytest.mark.parametrize(("number", "amount"), [
    ("75", 75.0), ("1 500", 1500.0), ("1.500", 1500.0), ("1,500.50", 1500.5), ("1 500,50", 1500.5), ("75,5", 75.5),
])
def test_amounts_are_read_in_the_usual_moroccan_spellings(number: str, amount: float) -> None:
    assert parse_amount(number) == amount


@pytest.mark.parametrize(("line", "amount"), [
    ("Timbre : 75 DH", 75.0), ("Droits de 200 MAD", 200.0), ("الرسوم 100 درهم", 100.0), ("درهم 300 للطابع", 300.0),
    ("Timbre fiscal de 1 000 dhs", 1000.0), ("Gratuit", 0.0), ("الخدمة بالمجان", 0.0), ("Free of charge", 0.0),
])
def test_fees_come_from_amounts_in_dh_mad_or_dirham_and_from_free_words(line: str, amount: float) -> None:
    fees = read_fees([line], "Coût")
    assert fees is not None and [f.amount_mad for f in fees] == [amount]


def test_a_fee_line_without_an_amount_or_free_word_gives_no_fee() -> None:
    assert read_fees(["Le montant dépend de la commune."], "Coût") is None


def test_labelled_lines_in_plain_text_become_fields_with_their_provenance() -> None:
    body = ("Le service est rendu par la commune.\nPièces à fournir :\n- Copie de la CNIE\n- Deux photos\n"
            "Coût : 75 DH\nFrais de dossier : 20 DH\nDélai : 48 heures\nOù s'adresser : bureau d'état civil\n")
    found = extract_fields(body, "fr", "uploads/x/fr.pdf", DAY)
    assert found.values["documents"] == ["Copie de la CNIE", "Deux photos"]
    assert [(f.label, f.amount_mad) for f in found.values["fees"]] == [("Coût", 75.0), ("Frais de dossier", 20.0)]
    assert found.values["delay"] == "48 heures" and found.values["where"] == "bureau d'état civil"
    assert found.sources["fees"].source == "uploads/x/fr.pdf" and found.sources["fees"].date == DAY
    assert found.sources["delay"].via == "section 'Délai'"
    assert "## Pièces à fournir" in found.body and "## Coût" in found.body


def test_arabic_headings_are_renamed_to_the_corpus_headings() -> None:
    body = "## الوثائق اللازمة\n- نسخة من البطاقة الوطنية\n## الرسوم\nبالمجان\n## المدة\nثلاثة أيام"
    found = extract_fields(body, "ar", "page.ar.html", DAY)
    assert found.values["documents"] == ["نسخة من البطاقة الوطنية"]
    assert found.values["fees"][0].amount_mad == 0 and found.values["delay"] == "ثلاثة أيام"
    assert "## الوثائق المطلوبة" in found.body and "## التكلفة" in found.body and "## الآجال" in found.body


def test_a_text_without_recognisable_sections_states_no_field() -> None:
    body = "Le guichet unique accueille les porteurs de projet.\nIl coûte parfois 100 DH selon les cas."
    found = extract_fields(body, "fr", "news.fr.html", DAY)
    assert found.values == {} and found.sources == {}
    assert found.body == body
