"""The golden sets cover what issues 12 and 13 ask for, split into dev and test halves."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.text import fold
from bench.quality import load_sets, load_training
from tests.conftest import CORPUS
from tests.core.test_corpus import SPEC_IDS

FORMS = {"fr", "ar", "en", "darija_ar", "darija_latin"}


def test_every_question_is_in_the_dev_or_the_test_half() -> None:
    for name, rows in load_sets().items():
        halves = Counter(q.get("half") for q in rows)
        assert set(halves) == {"dev", "test"}, name
        assert min(halves.values()) >= 0.4 * len(rows), name


def test_in_scope_questions_cover_every_procedure_and_every_form_in_both_halves() -> None:
    for half in ("dev", "test"):
        in_scope = load_sets(half)["in_scope"]
        assert {q["procedure"] for q in in_scope} == set(SPEC_IDS)
        assert {q["form"] for q in in_scope} == FORMS


def test_the_fact_set_has_300_questions_120_situational_in_five_forms() -> None:
    facts = load_sets()["facts"]
    assert len(facts) >= 300 and sum(q.get("situation") is not None for q in facts) >= 120
    assert {q["form"] for q in facts} == FORMS and all(q["facts"] for q in facts)


def test_negatives_reach_the_sizes_the_issue_asks_for() -> None:
    negatives = Counter(q.get("set", "out_of_scope") for q in load_sets()["negatives"])
    assert negatives["not_held"] >= 400 and negatives["degenerate"] >= 100 and negatives["ood"] >= 200
    multi_part = [q for q in load_sets()["negatives"] if q.get("multi_part")]
    assert len(multi_part) >= 40


def test_training_questions_are_dev_only_and_about_held_procedures_or_none() -> None:
    training = load_training()
    assert len(training["in_scope"]) >= 600 and len(training["negatives"]) >= 300
    assert {q["procedure"] for q in training["in_scope"]} == set(SPEC_IDS)
    assert all(q["half"] == "dev" and q["form"] in FORMS for rows in training.values() for q in rows)
    evaluated = {q["q"] for rows in load_sets().values() for q in rows}
    assert not evaluated & {q["q"] for rows in training.values() for q in rows}


def test_the_ambiguous_set_names_held_procedures_and_holds_15_test_questions_per_form() -> None:
    """Issue 13's aim (the right procedure among the choices >= 95 %) is measured per form on the test half: with 6
    or 7 questions one question was 14 to 17 points."""
    ambiguous = load_sets()["ambiguous"]
    for q in ambiguous:
        assert 2 <= len(q["acceptable"]) <= 3 and set(q["acceptable"]) <= set(SPEC_IDS), q["q"]
    assert len({fold(q["q"]) for q in ambiguous}) == len(ambiguous)
    per_form = Counter(q["form"] for q in load_sets("test")["ambiguous"])
    assert set(per_form) == FORMS and min(per_form.values()) >= 15, per_form


def test_training_ambiguous_questions_name_two_or_three_held_procedures_of_one_family() -> None:
    """A training row with `acceptable` teaches the gate that each of those is right, so each must be ours, and
    none of them may be read as a negative."""
    training = load_training()
    assert len(training["ambiguous"]) >= 150
    assert {q["form"] for q in training["ambiguous"]} == FORMS
    for q in training["ambiguous"]:
        assert 2 <= len(q["acceptable"]) <= 3 and set(q["acceptable"]) <= set(SPEC_IDS), q["q"]
    assert not any(q.get("acceptable") for q in training["negatives"])


def test_a_training_question_with_a_procedure_and_acceptable_ones_is_refused_by_name(tmp_path, monkeypatch) -> None:
    """It would count as in scope and as ambiguous at once."""
    (tmp_path / "training").mkdir()
    (tmp_path / "training" / "bad.yaml").write_text(
        'questions:\n  - {procedure: permis-conduire, acceptable: [permis-conduire, echange-permis-etranger],'
        ' form: fr, half: dev, q: "mon permis"}\n', encoding="utf-8")
    monkeypatch.setattr("bench.quality.GOLDEN", tmp_path)
    with pytest.raises(ValueError, match="not both: 'mon permis'"):
        load_training()


def test_training_facts_are_verbatim_in_the_record_the_answer_quotes() -> None:
    """The fact questions written to tune the composer on (tests/golden/training/facts_*.yaml) score an answer
    only if each fact can appear in it: Darija and Arabic answers quote ar.md."""
    facts = [q for q in load_training()["in_scope"] if q.get("facts")]
    assert len(facts) >= 200 and sum(q.get("situation") is not None for q in facts) >= 120
    for q in facts:
        lang = q["form"] if q["form"] in ("fr", "en") else "ar"
        record = fold((CORPUS / "procedures" / q["procedure"] / f"{lang}.md").read_text(encoding="utf-8"))
        for fact in q["facts"]:
            assert any(fold(alternative) in record for alternative in fact), (q["id"], fact)
