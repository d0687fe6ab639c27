"""Which sentences of the chosen record's body answer the question: a small logistic model over features of each
sentence, fitted on dev fact questions by scripts/fit_sentence_ranker.py and shipped as data
(assistant/data/sentence_ranker.json).

Hand-set scores (the question's keywords weighted by rarity, a bonus for the situation's words and for a sentence
whose vector stands out) put the sentence holding the answer first for about a third of the fact questions written
apart from the ones they were tuned on. What they miss is learnable: the part asked for ("combien", "فين") names the
body section that answers it, Darija questions share few words with Arabic records but their vectors still point
somewhere, and a French question's keywords are worth more than an Arabizi one's. The model reads all of these
per language form.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.passages import Sentence, answers_situation, in_dense_chunk, keyword_scores, vector_z
from assistant.resources import DATA_DIR
from core.records import REQUIRED_SECTIONS

FORMS = ("fr", "ar", "en", "darija", "darija_latin")
SECTIONS = 8  # core.records.REQUIRED_SECTIONS, in their order; a sentence under another heading is a ninth kind
# The body section that says more about each part: its place in REQUIRED_SECTIONS, whose headings every record
# language shares in that order.
SECTION_OF_PART = {"conditions": 1, "online": 2, "documents": 3, "fees": 4, "delay": 5, "where": 6, "validity": 7}
MODEL_FILE = DATA_DIR / "sentence_ranker.json"

FEATURES = (
    "keywords", "keywords_share", "matched", "matched3", "situation", "dense_chunk", "vector_z", "vector_z_pos",
    "vector_first", "vector_top3", "first_in_section", "log_words", "has_digit", "no_intent",
    *(f"section_{n}" for n in range(SECTIONS + 1)),
    "section_of_first_intent", "section_of_other_intent", "section_of_situation",
    *(f"{form}_{name}" for form in FORMS for name in ("vector_z", "keywords_share", "situation")),
)


@dataclass(frozen=True)
class SentenceQuery:
    """What a sentence is scored against: the question's keyword stems (the procedure's own name removed), the
    situation's record-side words and the parts it calls for, the parts asked, the dense search's best chunks of
    this record (folded), each sentence's cosine with the question when the vectors are at hand, and the form."""

    terms: frozenset[str]
    situation_terms: tuple[str, ...] = ()
    situation_parts: frozenset[str] = frozenset()
    intents: tuple[str, ...] = ()
    dense_chunks: tuple[str, ...] = ()
    similarity: Mapping[str, float] | None = None
    form: str = "fr"


def sentence_features(sentences: Sequence[Sentence], query: SentenceQuery, language: str) -> np.ndarray:
    """One row of FEATURES per sentence; `language` is the record's (fr, ar or en), which names its sections."""
    count = len(sentences)
    if not count:
        return np.zeros((0, len(FEATURES)))
    headings = REQUIRED_SECTIONS.get(language, ())
    keywords = np.array(keyword_scores(sentences, query.terms))
    matched = np.array([len(query.terms & s.tokens) for s in sentences])
    best_keywords = keywords.max() if keywords.max() > 0 else 1.0
    z = vector_z(sentences, query.similarity)
    vector_rank = np.empty(count)
    vector_rank[np.argsort(-z, kind="stable")] = np.arange(count)
    first_intent = {SECTION_OF_PART.get(query.intents[0])} if query.intents else set()
    other_intents = {SECTION_OF_PART.get(i) for i in query.intents[1:]}
    situation_sections = {SECTION_OF_PART.get(p) for p in query.situation_parts}
    form = query.form if query.form in FORMS else "fr"
    rows = []
    previous = None
    for n, sentence in enumerate(sentences):
        first_in_section = sentence.section != previous
        previous = sentence.section
        section = headings.index(sentence.section) if sentence.section in headings else SECTIONS
        situation = float(answers_situation(sentence, query.situation_terms))
        dense = float(keywords[n] > 0 and in_dense_chunk(sentence, query.dense_chunks))
        share = keywords[n] / best_keywords
        row = {
            "keywords": keywords[n], "keywords_share": share, "matched": matched[n],
            "matched3": min(matched[n], 3) / 3, "situation": situation, "dense_chunk": dense,
            "vector_z": z[n], "vector_z_pos": max(z[n], 0.0), "vector_first": float(vector_rank[n] == 0),
            "vector_top3": float(vector_rank[n] < 3), "first_in_section": float(first_in_section),
            "log_words": math.log(1 + len(sentence.text.split())),
            "has_digit": float(any(c.isdigit() for c in sentence.text)), "no_intent": float(not query.intents),
            f"section_{section}": 1.0,
            "section_of_first_intent": float(section in first_intent),
            "section_of_other_intent": float(section in other_intents),
            "section_of_situation": float(section in situation_sections),
            f"{form}_vector_z": z[n], f"{form}_keywords_share": share, f"{form}_situation": situation,
        }
        rows.append([row.get(name, 0.0) for name in FEATURES])
    return np.array(rows, dtype=float)


@dataclass
class SentenceRanker:
    weights: np.ndarray
    intercept: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """For each row, how likely that sentence holds what the question asks."""
        if not len(features):
            return np.zeros(0)
        return 1 / (1 + np.exp(-(features @ self.weights + self.intercept)))

    def score(self, sentences: Sequence[Sentence], query: SentenceQuery, language: str) -> np.ndarray:
        return self.probabilities(sentence_features(sentences, query, language))

    def to_json(self) -> dict[str, object]:
        return {"features": list(FEATURES), "weights": [round(float(w), 6) for w in self.weights],
                "intercept": round(float(self.intercept), 6)}


def load_ranker(path: Path = MODEL_FILE) -> SentenceRanker:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("features") != list(FEATURES):
        raise RuntimeError(f"{path}: fitted on other features than assistant/sentence_ranker.py's; "
                           "refit with scripts/fit_sentence_ranker.py")
    return SentenceRanker(np.array(data["weights"], dtype=float), float(data["intercept"]))


@lru_cache(maxsize=1)
def shipped_ranker() -> SentenceRanker:
    return load_ranker()
