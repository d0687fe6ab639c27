"""The sentence ranker over hand-built sentences: what its features read, what the shipped model prefers, and a
model file that no longer fits the code."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.passages import body_sentences, stems
from assistant.sentence_ranker import FEATURES, SentenceQuery, load_ranker, sentence_features, shipped_ranker

BODY = """## Description
La carte nationale est délivrée aux citoyens marocains.

## Conditions
- Être de nationalité marocaine.

## Pièces à fournir
- Un extrait d'acte de naissance de moins de trois mois.

## Coût
- Le timbre coûte 75 dirhams ; la première carte d'un mineur est gratuite.

## Délai
- La carte est prête en quinze jours.

## Où s'adresser
- Au commissariat de police de votre lieu de résidence.
"""
SENTENCES = body_sentences(BODY)


def _column(rows: np.ndarray, name: str) -> list[float]:
    return rows[:, FEATURES.index(name)].tolist()


def test_the_section_answering_the_part_asked_is_marked_for_each_of_its_sentences() -> None:
    rows = sentence_features(SENTENCES, SentenceQuery(frozenset(), intents=("fees",)), "fr")
    marked = [s.text for s, flag in zip(SENTENCES, _column(rows, "section_of_first_intent"), strict=True) if flag]
    assert marked == ["Le timbre coûte 75 dirhams ; la première carte d'un mineur est gratuite."]
    assert rows.shape == (len(SENTENCES), len(FEATURES))


def test_vectors_are_read_against_the_records_own_mean_and_only_in_the_questions_form() -> None:
    similarity = {s.text: (0.9 if "commissariat" in s.text else 0.8) for s in SENTENCES}
    rows = sentence_features(SENTENCES, SentenceQuery(frozenset(), similarity=similarity, form="darija"), "fr")
    best = [s.text for s, first in zip(SENTENCES, _column(rows, "vector_first"), strict=True) if first]
    assert best == ["Au commissariat de police de votre lieu de résidence."]
    assert max(_column(rows, "darija_vector_z")) > 1 and max(_column(rows, "fr_vector_z")) == 0


def test_the_shipped_ranker_puts_the_cost_sentence_first_for_a_fee_question() -> None:
    query = SentenceQuery(stems("combien ça coûte pour un mineur"), intents=("fees",), form="fr")
    probabilities = shipped_ranker().score(SENTENCES, query, "fr")
    assert "75 dirhams" in SENTENCES[int(np.argmax(probabilities))].text


def test_the_shipped_ranker_puts_the_office_first_for_a_darija_where_question() -> None:
    query = SentenceQuery(frozenset(), intents=("where",), form="darija_latin")
    probabilities = shipped_ranker().score(SENTENCES, query, "fr")
    assert "commissariat" in SENTENCES[int(np.argmax(probabilities))].text


def test_a_model_file_fitted_on_other_features_is_refused_with_the_way_to_refit(tmp_path: Path) -> None:
    stale = tmp_path / "sentence_ranker.json"
    stale.write_text(json.dumps({"features": ["keywords"], "weights": [1.0], "intercept": 0.0}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="fit_sentence_ranker.py"):
        load_ranker(stale)


def test_no_sentences_give_no_rows_and_no_scores() -> None:
    assert sentence_features([], SentenceQuery(frozenset()), "fr").shape == (0, len(FEATURES))
    assert shipped_ranker().score([], SentenceQuery(frozenset()), "fr").shape == (0,)
