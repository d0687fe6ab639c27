"""Which of our procedures a question is about, or none of them, read from its letters: a character n-gram
classifier (TF-IDF and a multinomial logistic regression) over the example bank's questions, fitted on the dev
halves by scripts/fit_answerability.py and shipped as assistant/data/intent.npz. Letters rather than the embedder:
the spellings of a Darija word in Latin letters (ch7al, chhal, xhal) share n-grams the small embedder does not see
as close, and it reads a question written the way citizens write without a lexicon entry for every word.

The gate reads its probabilities as features of the procedures it was fitted on (assistant/steps/answerability.py);
it knows nothing of a procedure added since."""

from __future__ import annotations

from collections import Counter
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
        self._vocabulary = {gram: n for n, gram in enumerate(vocabulary)}
        self._vectorizer = _vectorizer(self._vocabulary)
        self._vectorizer.idf_ = idf
        self._idf = np.asarray(idf, dtype=np.float64)
        self._analyzer = self._vectorizer.build_analyzer()
        self._intercept = intercept
        # The coefficients kept as one row per n-gram, so that a question reads only the rows of its own n-grams (a
        # few hundred of 44,000). The product of the sparse question with `coef.T` copied and widened the whole
        # matrix on every call: 11 % of the service's samples at 8 chat clients (python -m bench --quick --only
        # throughput; README, Throughput).
        self._rows = np.ascontiguousarray(np.asarray(coef).T)
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
        columns, weights = self._tfidf(fold(question))
        scores = weights @ self._rows[columns] + self._intercept
        if len(self.classes) == 2:  # a binary fit keeps one row, for the second class: softmax([0, z]) = sigmoid(z)
            scores = np.concatenate([[0.0], scores])
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))

    def _tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The vectorizer's row for `text` (its own analyzer; sublinear tf, idf, l2 norm) as the columns it uses and
        their weights: what `TfidfVectorizer.transform` computes, without building a sparse matrix for one row,
        which cost more than the rest of the classification."""
        counts = Counter(self._analyzer(text))
        found = [(column, count) for gram, count in counts.items()
                 if (column := self._vocabulary.get(gram)) is not None]
        if not found:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        columns = np.fromiter((c for c, _ in found), dtype=np.intp, count=len(found))
        weights = (np.log(np.fromiter((n for _, n in found), dtype=np.float64, count=len(found))) + 1) * self._idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def save(self, path: Path = PATH) -> None:
        vocabulary = sorted(self._vectorizer.vocabulary, key=self._vectorizer.vocabulary.__getitem__)
        np.savez_compressed(path, vocabulary=np.array(vocabulary), idf=self._vectorizer.idf_,
                            coef=self._rows.T.astype(np.float32), intercept=self._intercept,
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
