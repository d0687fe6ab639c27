"""Is the retrieved procedure the one asked about, or only a neighbour? A small logistic model over features of
each of the first candidates, fitted on the dev halves by scripts/fit_answerability.py and shipped as data
(assistant/data/answerability.json): no similarity threshold alone can tell "near" from "same" (the embedder's
cosines sit at 0.80-0.87 even for unrelated text), and in Darija-Latin one matched word is not enough.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.examples import EXAMPLE_FEATURES
from assistant.intent import INTENT_FEATURES
from assistant.resources import DATA_DIR
from assistant.retrieval import ProcedureCandidate, Retrieval

RARE_IDF = 2.0  # a keyword that at most about a sixth of the procedures use
FORMS = ("fr", "ar", "en", "darija", "darija_latin")
FEATURES = (
    "dense", "dense_rank_inv", "bm25_rank_inv", "fused_rank_inv", "fused_margin", "dense_gap", "coverage",
    "matched", "record_coverage", "unknown_share", "question_terms", "latin_dense", "latin_coverage",
    "latin_record_coverage", "weighted_coverage", "rare_coverage", "rare_terms", "latin_weighted_coverage",
    "name_coverage", "uncovered_max_idf", "known_uncovered_max_idf", "latin_name_coverage",
    *(f"form_{f}" for f in FORMS),
)


@dataclass(frozen=True)
class QuestionTerms:
    """The question's own keywords (no lexicon expansion) and the share that no record uses at all."""

    terms: frozenset[str]
    unknown_share: float
    idf: dict[str, float]  # each term's specificity across procedures (KeywordIndex.procedure_idf)

    @property
    def rare(self) -> frozenset[str]:
        return frozenset(t for t, w in self.idf.items() if w >= RARE_IDF)


def candidate_features(retrieval: Retrieval, candidate: ProcedureCandidate, rank: int, form: str,
                       question: QuestionTerms, procedure_terms: frozenset[str],
                       name_terms: frozenset[str] = frozenset(), vocabulary: frozenset[str] = frozenset(),
                       max_idf: float = 4.0) -> dict[str, float]:
    others = [c for c in retrieval.candidates[:5] if c is not candidate]
    best_other = max((c.score for c in others), default=0.0)
    best_other_dense = max((c.dense_score for c in others if c.dense_rank is not None), default=0.0)
    dense = candidate.dense_score if candidate.dense_rank is not None else 0.0
    latin = 1.0 if form == "darija_latin" else 0.0
    coverage = len(candidate.matched_terms) / max(len(retrieval.query_terms), 1)
    record_coverage = len(question.terms & procedure_terms) / max(len(question.terms), 1)
    features = {
        "dense": dense,
        "dense_rank_inv": 1 / candidate.dense_rank if candidate.dense_rank else 0.0,
        "bm25_rank_inv": 1 / candidate.bm25_rank if candidate.bm25_rank else 0.0,
        "fused_rank_inv": 1 / rank,
        "fused_margin": (candidate.score - best_other) * 60,  # in units of one first-rank RRF vote
        "dense_gap": dense - best_other_dense,
        "coverage": coverage,
        "matched": min(len(candidate.matched_terms), 5) / 5,
        "record_coverage": record_coverage,
        "unknown_share": question.unknown_share,
        "question_terms": min(len(question.terms), 12) / 12,
        "latin_dense": latin * dense, "latin_coverage": latin * coverage,
        "latin_record_coverage": latin * record_coverage,
    }
    total_idf = sum(question.idf.values()) or 1.0
    weighted = sum(w for t, w in question.idf.items() if t in procedure_terms) / total_idf
    rare = question.rare
    features.update({
        "weighted_coverage": weighted,
        "rare_coverage": len(rare & procedure_terms) / len(rare) if rare else 1.0,
        "rare_terms": min(len(rare), 5) / 5,
        "latin_weighted_coverage": latin * weighted,
    })
    # The words that name a procedure (title, aliases) against the question's most specific words: a question
    # that names something the record does not know ("chasse", "douane") is about another procedure.
    named = sum(w for t, w in question.idf.items() if t in name_terms) / total_idf
    uncovered = [w for t, w in question.idf.items() if t not in procedure_terms]
    known_uncovered = [w for t, w in question.idf.items() if t not in procedure_terms and t in vocabulary]
    features.update({
        "name_coverage": named, "latin_name_coverage": latin * named,
        "uncovered_max_idf": max(uncovered, default=0.0) / max_idf,
        "known_uncovered_max_idf": max(known_uncovered, default=0.0) / max_idf,
    })
    features.update({f"form_{f}": float(form == f) for f in FORMS})
    return features


# What the model for the procedures the example bank knows reads: the bank's neighbours and the letter classifier too.
WITH_EXAMPLES = FEATURES + EXAMPLE_FEATURES + INTENT_FEATURES

# Zeroed when the vector store is down (keyword retrieval alone answers): the keyword-only model never saw them.
DENSE_FEATURES = ("dense", "dense_rank_inv", "dense_gap", "latin_dense")


@dataclass(frozen=True)
class AnswerabilityModel:
    """`names`: the features it reads, in order (FEATURES, or WITH_EXAMPLES for `with_examples`)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    thresholds: dict[str, float]  # per form: the probability a candidate needs to be answered
    clarify_margin: float  # two family members within this probability of each other: ask which
    keyword_only: AnswerabilityModel | None = None  # fitted with the dense features zeroed, for degraded retrieval
    # Fitted with the example bank's and the letter classifier's features too (assistant/examples.py,
    # assistant/intent.py): it judges the procedures they know.
    with_examples: AnswerabilityModel | None = None
    names: tuple[str, ...] = FEATURES

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (features[name] - m) / s for name, c, m, s in zip(self.names, self.coef, self.mean, self.scale,
                                                                  strict=True))
        return _sigmoid(z)

    def threshold(self, form: str) -> float:
        return self.thresholds.get(form, self.thresholds["default"])

    def on_scale_of(self, other: AnswerabilityModel, probability: float, form: str) -> float:
        """This model's probability moved onto `other`'s scale, so that both models' thresholds for the form meet:
        the candidates of one question, some judged with the example bank and some without, compare fairly."""
        return _sigmoid(_logit(probability) - _logit(self.threshold(form)) + _logit(other.threshold(form)))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))


@lru_cache(maxsize=1)
def load_model() -> AnswerabilityModel:
    data = json.loads((DATA_DIR / "answerability.json").read_text(encoding="utf-8"))
    return _model(data)


def _model(data: dict[str, Any]) -> AnswerabilityModel:
    names = tuple(data.get("features", FEATURES))
    if names not in (FEATURES, WITH_EXAMPLES):
        raise RuntimeError("answerability.json was fitted on other features: run scripts/fit_answerability.py")
    keyword_only = _model(data["keyword_only"]) if data.get("keyword_only") else None
    with_examples = _model(data["with_examples"]) if data.get("with_examples") else None
    return AnswerabilityModel(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), data["intercept"],
                              data["thresholds"], data["clarify_margin"], keyword_only, with_examples, names)


def model_data(model: AnswerabilityModel) -> dict[str, Any]:
    """The model as answerability.json stores it (scripts/fit_answerability.py writes it)."""
    data: dict[str, Any] = {"features": list(model.names), "mean": model.mean, "scale": model.scale,
                            "coef": model.coef, "intercept": model.intercept, "thresholds": model.thresholds,
                            "clarify_margin": model.clarify_margin}
    if model.keyword_only is not None:
        data["keyword_only"] = model_data(model.keyword_only)
    if model.with_examples is not None:
        data["with_examples"] = model_data(model.with_examples)
    return data
