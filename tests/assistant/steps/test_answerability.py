"""The gate and the answerability decision over hand-built candidates and a hand-set model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answerability import FEATURES, WITH_EXAMPLES, AnswerabilityModel, QuestionTerms, candidate_features
from assistant.context import AnswerContext
from assistant.examples import Example, ExampleBanks
from assistant.intent import IntentModel
from assistant.messages import Messages
from assistant.retrieval import ProcedureCandidate, Retrieval
from assistant.steps.answerability import CheckAnswerability, decide
from core.embedders import FakeEmbedder

from .conftest import candidate, retrieval


def _model(**weights: float) -> AnswerabilityModel:
    coef = tuple(weights.get(name, 0.0) for name in FEATURES)
    return AnswerabilityModel((0.0,) * len(FEATURES), (1.0,) * len(FEATURES), coef, 0.0, {"default": 0.5}, 0.1)


def test_nothing_above_the_threshold_declines() -> None:
    assert decide([(0.4, candidate("a")), (0.2, candidate("b"))], 0.5, 0.1) == []


def test_the_most_probable_candidate_is_answered_not_the_first_ranked() -> None:
    second = candidate("passeport-biometrique")
    chosen = decide([(0.9, second), (0.6, candidate("certificat-vie"))], 0.5, 0.1)
    assert chosen == [second]


def test_two_close_members_of_a_confusable_family_ask_which() -> None:
    first, renewal = candidate("cnie-premiere-demande"), candidate("cnie-renouvellement")
    assert decide([(0.82, first), (0.78, renewal)], 0.5, 0.1) == [first, renewal]


def test_two_family_members_both_plausible_but_neither_sure_ask_which_instead_of_declining() -> None:
    record, nationality = candidate("casier-judiciaire"), candidate("certificat-nationalite")
    assert decide([(0.61, record), (0.60, nationality), (0.2, candidate("dossier-mariage"))], 0.9, 0.1) == [
        record, nationality]


def test_below_the_threshold_an_unrelated_or_improbable_second_still_declines() -> None:
    record = candidate("casier-judiciaire")
    assert decide([(0.61, record), (0.60, candidate("dossier-mariage"))], 0.9, 0.1) == []
    assert decide([(0.61, record), (0.3, candidate("certificat-nationalite"))], 0.9, 0.1) == []


def test_close_candidates_from_unrelated_procedures_do_not_ask() -> None:
    first = candidate("cnie-premiere-demande")
    assert decide([(0.82, first), (0.80, candidate("casier-judiciaire"))], 0.5, 0.1) == [first]


def test_a_far_family_member_does_not_ask() -> None:
    first = candidate("permis-conduire")
    assert decide([(0.95, first), (0.6, candidate("echange-permis-etranger"))], 0.5, 0.1) == [first]


def test_question_words_the_record_lacks_lower_the_probability() -> None:
    model = _model(weighted_coverage=6.0)
    result = retrieval(candidate("passeport-biometrique"), terms=["passeport", "douane"])
    idf = {"passeport": 1.0, "douane": 3.0}
    question = QuestionTerms(frozenset(idf), 0.5, idf)
    covered = candidate_features(result, result.candidates[0], 1, "fr", question, frozenset({"passeport", "douane"}))
    uncovered = candidate_features(result, result.candidates[0], 1, "fr", question, frozenset({"passeport"}))
    assert model.probability(covered) > model.probability(uncovered)


def test_one_matched_word_in_darija_latin_is_a_weaker_signal_than_full_coverage() -> None:
    single = candidate("passeport-biometrique", matched={"passport"})
    result = retrieval(single, terms=["passport", "bank", "carte", "blocked"])
    features = candidate_features(result, single, 1, "darija_latin", QuestionTerms(frozenset(), 0.0, {}),
                                  frozenset())
    assert features["coverage"] == 0.25 and features["latin_coverage"] == 0.25 and features["form_darija_latin"] == 1


def test_degraded_retrieval_is_judged_by_the_keyword_only_model() -> None:
    keyword_only = _model(coverage=3.0)
    gate = CheckAnswerability(Messages(), None, None, replace(_model(dense=3.0), keyword_only=keyword_only))  # type: ignore[arg-type]
    degraded = AnswerContext(message="q", retrieval=Retrieval([candidate("a")], ["x"], degraded=True))
    hybrid = AnswerContext(message="q", retrieval=Retrieval([candidate("a")], ["x"]))
    assert gate.model_for(degraded) is keyword_only and gate.model_for(hybrid) is not keyword_only


class _HandBuiltFeatures(CheckAnswerability):
    """The gate with its retrieval features given, so that only the choice of model is under test."""

    def features(self, context: AnswerContext) -> list[tuple[ProcedureCandidate, dict[str, float]]]:
        assert context.retrieval is not None
        return [(c, dict.fromkeys(FEATURES, 0.0)) for c in context.retrieval.candidates]


def _example_gate(tmp_path: Path) -> CheckAnswerability:
    embedder = FakeEmbedder()
    examples = (Example("renouveler mon passeport", "passeport-biometrique"), Example("permis de peche", None))
    intent = IntentModel.fit([e.question for e in examples] * 2, [e.procedure for e in examples] * 2)
    base = AnswerabilityModel((0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), 1.0,
                              {"default": 0.5}, 0.1)  # every candidate at 0.73: answered
    refusing = AnswerabilityModel((0.0,) * len(WITH_EXAMPLES), (1.0,) * len(WITH_EXAMPLES),
                                  (0.0,) * len(WITH_EXAMPLES), -3.0, {"default": 0.5}, 0.1, names=WITH_EXAMPLES)
    return _HandBuiltFeatures(Messages(), None, None, replace(base, with_examples=refusing),  # type: ignore[arg-type]
                              examples=ExampleBanks(embedder, tmp_path, examples), intent=intent)


def test_a_procedure_the_examples_know_is_judged_with_them(tmp_path: Path) -> None:
    gate = _example_gate(tmp_path)
    context = AnswerContext(message="q", question="q", form="fr", retrieval=Retrieval(
        [candidate("passeport-biometrique")], ["q"], query_vector=FakeEmbedder().embed_query("q")))
    ((probability, _),) = gate.score(context)
    assert probability < 0.5


def test_a_procedure_added_since_the_examples_is_judged_without_them(tmp_path: Path) -> None:
    """An uploaded fishing-licence record must not be refused because "permis de peche" was once a negative."""
    gate = _example_gate(tmp_path)
    context = AnswerContext(message="permis de peche", question="permis de peche", form="fr", retrieval=Retrieval(
        [candidate("permis-peche-upload")], ["peche"], query_vector=FakeEmbedder().embed_query("permis de peche")))
    ((probability, _),) = gate.score(context)
    assert probability == pytest.approx(0.731, abs=1e-3)


def test_without_a_question_vector_every_candidate_is_judged_without_examples(tmp_path: Path) -> None:
    gate = _example_gate(tmp_path)
    context = AnswerContext(message="q", question="q", form="fr",
                            retrieval=Retrieval([candidate("passeport-biometrique")], ["q"], degraded=True))
    ((probability, _),) = gate.score(context)
    assert probability == pytest.approx(0.731, abs=1e-3)


class _Catalog:
    def __init__(self, *ids: str) -> None:
        self._ids = set(ids)

    def record_for(self, procedure_id: str, language: str) -> object | None:
        return procedure_id if procedure_id in self._ids else None


def _ranked(*ids: str) -> AnswerContext:
    return AnswerContext(message="q", question="q", form="fr",
                         retrieval=Retrieval([candidate(pid) for pid in ids], ["q"]))


LOOK_ALIKES = ("syn-a", "syn-b", "syn-c", "syn-d", "syn-e")


def test_the_procedure_the_classifier_names_is_judged_at_its_rank_when_look_alikes_outrank_it() -> None:
    """At national scale, synthetic look-alikes pushed the asked procedure to 4th-38th place (bench/scale)."""
    gate = CheckAnswerability(Messages(), None, _Catalog("amo-inscription", *LOOK_ALIKES), _model())  # type: ignore[arg-type]
    context = _ranked(*LOOK_ALIKES, "amo-inscription")
    judged = gate.judged(context, {"amo-inscription": 0.7, "-": 0.2, "cnss-immatriculation": 0.1})
    assert [(rank, c.procedure_id) for rank, c in judged] == [(1, "syn-a"), (2, "syn-b"), (3, "syn-c"),
                                                              (6, "amo-inscription")]
    assert judged[-1][1] is context.retrieval.candidates[5]  # its chunks and scores, as retrieval found them


def test_a_named_procedure_retrieval_missed_is_judged_after_the_last_candidate() -> None:
    gate = CheckAnswerability(Messages(), None, _Catalog("amo-inscription", *LOOK_ALIKES), _model())  # type: ignore[arg-type]
    judged = gate.judged(_ranked(*LOOK_ALIKES), {"amo-inscription": 0.7, "-": 0.3})
    assert judged[-1][0] == 6 and judged[-1][1].procedure_id == "amo-inscription" and not judged[-1][1].chunks


@pytest.mark.parametrize(("probabilities", "held"), [
    ({"-": 0.6, "amo-inscription": 0.4}, True),  # the classifier says "none of ours"
    ({"syn-b": 0.9, "-": 0.1}, True),  # already among the first three
    ({"amo-inscription": 0.9, "-": 0.1}, False),  # no longer in the catalogue (deleted since the fit)
])
def test_otherwise_only_the_first_three_are_judged(probabilities: dict[str, float], held: bool) -> None:
    ids = ("amo-inscription",) if held else ()
    gate = CheckAnswerability(Messages(), None, _Catalog(*ids, *LOOK_ALIKES), _model())  # type: ignore[arg-type]
    judged = gate.judged(_ranked(*LOOK_ALIKES, "amo-inscription"), probabilities)
    assert [c.procedure_id for _, c in judged] == ["syn-a", "syn-b", "syn-c"]


class _ScoredGate(CheckAnswerability):
    """The gate's decision over hand-set probabilities, one per candidate in order."""

    def __init__(self, *probabilities: float) -> None:
        super().__init__(Messages(), None, _Catalog(), replace(_model(), thresholds={"default": 0.9}))  # type: ignore[arg-type]
        self._probabilities = probabilities

    def score(self, context: AnswerContext,
              model: AnswerabilityModel | None = None) -> list[tuple[float, ProcedureCandidate]]:
        assert context.retrieval is not None
        return list(zip(self._probabilities, context.retrieval.candidates, strict=False))


@pytest.mark.parametrize(("best", "status"), [(0.72, "not_found"), (0.2, "out_of_scope")])
def test_a_declined_question_whose_best_candidate_is_probable_is_not_found_not_out_of_scope(best: float,
                                                                                            status: str) -> None:
    context = _ranked("passeport-biometrique", "immatriculation-consulaire")
    _ScoredGate(best, 0.01)(context)
    assert context.status == status and context.chosen is None
    assert ("idarati.ma" in context.answer) == (status == "not_found")
