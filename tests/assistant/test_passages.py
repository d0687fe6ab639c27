"""Body sentence scoring: the light stem and the record words of everyday and Darija words."""

from __future__ import annotations

from assistant.passages import body_sentences, record_terms, select_passages, stems
from assistant.text import keyword_tokens

BODY = """## التكلفة
- يبلغ الطابع 500 درهم.
- يتم الأداء عبر الإنترنت أو بالشباك.
"""


def test_an_arabic_word_meets_its_forms_with_glued_particles_and_endings() -> None:
    assert stems("بالأداء") == stems("الأداء") == stems("أداء")
    assert stems("والبطاقات") == stems("البطاقة")


def test_a_darija_word_brings_the_record_word_for_the_same_thing() -> None:
    assert "اداء" in record_terms("واش نقدر نخلص؟")
    assert record_terms("passeport") == []


def test_the_body_sentence_using_the_record_word_is_chosen_for_a_darija_question() -> None:
    question = "واش نقدر نخلص؟"
    terms = keyword_tokens(question) + record_terms(question)
    best = select_passages(body_sentences(BODY), terms, limit=1)
    assert best and "الأداء" in best[0].sentence.text


def test_a_latin_situation_word_marks_a_sentence_only_at_the_start_of_a_word() -> None:
    sentences = body_sentences("## Bon à savoir\n- The DGI will calculate the tax.\n- Late filing leads to surcharges.\n")
    best = select_passages(sentences, [], ["late"], limit=2)
    assert [p.sentence.text for p in best] == ["Late filing leads to surcharges."]


def test_the_description_naming_every_case_is_not_the_answer_to_a_situation() -> None:
    body = ("## Description\nA new card when the old one has expired, was lost or stolen.\n"
            "## Good to know\n- If your card was lost, first report the loss to the police.\n")
    best = select_passages(body_sentences(body), [], ["lost"], limit=2)
    assert [p.sentence.text for p in best] == ["If your card was lost, first report the loss to the police."]
    assert all(p.situation_hit for p in best)


def test_an_abbreviation_followed_by_a_number_or_a_lowercase_word_does_not_end_the_sentence() -> None:
    sentences = body_sentences("## Description\nThe extract (bulletin no. 3) is issued by the court. It is free.\n")
    assert [s.text for s in sentences] == ["The extract (bulletin no. 3) is issued by the court.", "It is free."]


def test_each_table_row_reads_as_one_sentence_with_its_column_names() -> None:
    body = ("## Cost\n| Power | Petrol | Diesel |\n|---|:---:|---|\n| Under 8 CV | 350 MAD | 700 MAD |\n"
            "| 8 to 10 CV | 650 MAD | |\n\nPaying online is free.\n")
    assert [s.text for s in body_sentences(body)] == [
        "Under 8 CV — Petrol: 350 MAD; Diesel: 700 MAD", "8 to 10 CV — Petrol: 650 MAD", "Paying online is free."]


def test_the_darija_word_for_tax_reads_the_records_word_for_it() -> None:
    assert "ضريبه" in record_terms("salam, ch7al dyal dariba ghadi nkhles?")  # folded, article off
    assert "ضريبه" in record_terms("شحال ديال الضريبة كيخلص المقاول الذاتي؟")
