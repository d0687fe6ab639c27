"""Which of our procedures a question is about, or none of them, read from its letters: a character n-gram
classifier (TF-IDF and a multinomial logistic regression) over the example bank's questions, fitted on the dev
halves by scripts/fit_answerability.py and shipped as assistant/data/intent.npz. Letters rather than the embedder:
the spellings of a Darija word in Latin letters (ch7al, chhal, xhal) share n-grams the small embedder does not see
as close, and it reads a question written the way citizens write without a lexicon entry for every word.

The gate reads its probabilities as features of the procedures it was fitted on (assistant/steps/answerability.py);
it knows nothing of a procedure added since."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.resources import DATA_DIR
from assistant.text import fold

INTENT_FEATURES = ("intent_probability", "intent_none", "intent_gap")
NONE = "-"  # the class of questions about something we do not hold
PATH = DATA_DIR / "intent.npz"


def _vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                           vocabulary=vocabulary)


class IntentModel:
    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                 classes: Sequence[str]) -> None:
        self._vectorizer = _vectorizer({gram: n for n, gram in enumerate(vocabulary)})
        self._vectorizer.idf_ = idf
        self._coef, self._intercept = coef, intercept
        self.classes = tuple(classes)
        self.known = frozenset(c for c in self.classes if c != NONE)

    @classmethod
    def fit(cls, questions: Sequence[str], labels: Sequence[str | None], strength: float = 10.0) -> IntentModel:
        vectorizer = _vectorizer()
        matrix = vectorizer.fit_transform([fold(q) for q in questions])
        model = LogisticRegression(C=strength, max_iter=3000).fit(matrix, [label or NONE for label in labels])
        vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        return cls(vocabulary, vectorizer.idf_, model.coef_, model.intercept_, [str(c) for c in model.classes_])

    def probabilities(self, question: str) -> dict[str, float]:
        scores = (self._vectorizer.transform([fold(question)]) @ self._coef.T)[0] + self._intercept
        if len(self.classes) == 2:  # a binary fit keeps one row, for the second class: softmax([0, z]) = sigmoid(z)
            scores = np.concatenate([[0.0], scores])
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))

    def save(self, path: Path = PATH) -> None:
        vocabulary = sorted(self._vectorizer.vocabulary, key=self._vectorizer.vocabulary.__getitem__)
        np.savez_compressed(path, vocabulary=np.array(vocabulary), idf=self._vectorizer.idf_,
                            coef=self._coef.astype(np.float32), intercept=self._intercept,
                            classes=np.array(self.classes))

    @classmethod
    def load(cls, path: Path = PATH) -> IntentModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["vocabulary"].tolist(), data["idf"], data["coef"], data["intercept"],
                       data["classes"].tolist())


def intent_features(probabilities: dict[str, float], procedure_id: str) -> dict[str, float]:
    best_other = max((p for c, p in probabilities.items() if c not in (NONE, procedure_id)), default=0.0)
    mine = probabilities.get(procedure_id, 0.0)
    return {"intent_probability": mine, "intent_none": probabilities.get(NONE, 0.0), "intent_gap": mine - best_other}


@lru_cache(maxsize=1)
def shipped_intent_model() -> IntentModel | None:
    return IntentModel.load() if PATH.exists() else None
