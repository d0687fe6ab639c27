"""The letter classifier: which procedure a question is about, or none, from character n-grams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.intent import NONE, IntentModel, intent_features, shipped_intent_model
from assistant.text import fold

QUESTIONS = ["ch7al kaykhles lpassport", "chhal taman dyal passport", "kifach njded lpassport",
             "fin ndir lpassport dyali", "chhal kayt3tal l'extrait", "kifach nakhod l'extrait dyal lwilada",
             "fin njib extrait d naissance", "wach lextrait kaytkhles", "bghit nbloqui lakart banka",
             "lakart d banka tblokat", "kifach n7el compte banka", "atm klat lakart"]
LABELS = ["passeport"] * 4 + ["extrait"] * 4 + [None] * 4


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return IntentModel.fit(QUESTIONS, LABELS)


def test_another_spelling_of_a_known_question_is_recognised_by_its_letters(model: IntentModel) -> None:
    probabilities = model.probabilities("xhal kaykhlas lpasspor")
    assert max(probabilities, key=probabilities.__getitem__) == "passeport"


def test_a_question_like_the_unheld_ones_leans_to_none(model: IntentModel) -> None:
    probabilities = model.probabilities("lakart dyal banka mblokya")
    assert max(probabilities, key=probabilities.__getitem__) == NONE
    assert intent_features(probabilities, "passeport")["intent_none"] == probabilities[NONE]


def test_the_gap_is_to_the_best_other_procedure(model: IntentModel) -> None:
    probabilities = model.probabilities("ch7al kaykhles lpassport")
    features = intent_features(probabilities, "passeport")
    assert features["intent_gap"] == pytest.approx(probabilities["passeport"] - probabilities["extrait"])


def test_it_knows_only_the_procedures_it_was_fitted_on(model: IntentModel) -> None:
    assert model.known == {"passeport", "extrait"}
    assert intent_features(model.probabilities("x"), "permis-conduire")["intent_probability"] == 0.0


def test_a_saved_model_reads_back_the_same_probabilities(model: IntentModel, tmp_path: Path) -> None:
    model.save(tmp_path / "intent.npz")
    again = IntentModel.load(tmp_path / "intent.npz")
    question = "fin ndir lpassport"
    assert again.probabilities(question) == pytest.approx(model.probabilities(question))


def test_the_shipped_model_matches_the_shipped_examples() -> None:
    shipped = shipped_intent_model()
    assert shipped is not None and len(shipped.known) == 41 and NONE in shipped.classes


def test_the_classifier_reads_a_question_as_the_fitted_vectorizer_does() -> None:
    """Its own n-gram row (faster than the vectorizer's sparse matrix) gives the probabilities the fitted
    vectorizer and coefficients give, on questions of every form, an empty one and one of unknown letters."""
    shipped = shipped_intent_model()
    assert shipped is not None
    for question in ["Comment renouveler ma CNIE ?", "ch7al kaykhles lpassport f casa?", "كيف أحصل على جواز السفر؟",
                     "شحال كتخلص لاكارط ديال البنك", "I lost my passport abroad", "", "ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵎⴰⵣⵉⵖⵜ"]:
        scores = (shipped._vectorizer.transform([fold(question)]) @ shipped._rows)[0] + shipped._intercept
        expected = np.exp(scores - scores.max())
        got = shipped.probabilities(question)
        assert list(got) == list(shipped.classes)
        assert list(got.values()) == pytest.approx((expected / expected.sum()).tolist(), abs=1e-12)
