"""Questions Sahla has seen, as the embedder reads them: the dev halves' in-scope questions labelled with their
procedure, and the unheld, out-of-domain and abusive ones labelled None (assistant/data/answerability_examples.json,
written by scripts/fit_answerability.py from the dev halves only). How a new question sits among them tells the
gate what its scores cannot: a question nearer to known "we don't hold that" questions than to any question about a
procedure we hold is probably not about one of ours, however many words it shares with a record.

The default embedder's vectors ship beside the bank; another embedder's are computed once (about a minute on two
cores) and kept under the data directory, so a restart reads them in milliseconds."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.resources import DATA_DIR
from core.embedders import Embedder, file_slug

logger = logging.getLogger(__name__)

NEIGHBOURS = 10
EXAMPLE_FEATURES = ("example_same_gap", "example_negative_gap", "example_vote", "example_negative_vote")


@dataclass(frozen=True)
class Example:
    question: str
    procedure: str | None  # None: a question about something we do not hold


@lru_cache(maxsize=1)
def shipped_examples() -> tuple[Example, ...]:
    path = DATA_DIR / "answerability_examples.json"
    if not path.exists():
        return ()
    return tuple(Example(e["q"], e["procedure"]) for e in json.loads(path.read_text(encoding="utf-8")))


class ExampleBank:
    def __init__(self, vectors: np.ndarray, labels: tuple[str | None, ...]) -> None:
        self.vectors = vectors
        self.labels = labels
        self.known = frozenset(label for label in labels if label is not None)
        # Labels as integers (-1: a negative), so that a turn's masks are numpy comparisons, not Python loops.
        self._ids = {procedure: n for n, procedure in enumerate(sorted(self.known))}
        self._label_ids = np.array([-1 if label is None else self._ids[label] for label in labels])

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        return self.vectors @ vector

    def features(self, vector: np.ndarray, procedure_id: str, exclude: np.ndarray | None = None,
                 similarities: np.ndarray | None = None) -> dict[str, float]:
        """How the question sits among the examples, for a procedure the bank knows. `exclude` masks examples out
        (the fit script's cross-fitting: a question never sees itself). `similarities`: the question's, when
        already computed for another candidate (`similarities`)."""
        similarities = self.similarities(vector) if similarities is None else similarities
        return self.neighbourhood(similarities, exclude).features(procedure_id)

    def neighbourhood(self, similarities: np.ndarray, exclude: np.ndarray | None = None) -> Neighbourhood:
        """What every candidate of one question shares: the best example either way and the nearest ones. Computed
        once per question, not per candidate (the masks and the partial sort over the whole bank were most of the
        gate's own time)."""
        usable = np.ones(len(self.labels), bool) if exclude is None else ~exclude
        negative = usable & (self._label_ids == -1)
        positive = usable & (self._label_ids >= 0)
        candidates = np.flatnonzero(usable)
        count = min(NEIGHBOURS, len(candidates))
        nearest = candidates[np.argpartition(-similarities[candidates], count - 1)[:count]] if count else candidates
        return Neighbourhood(self._ids, self._label_ids, similarities, usable,
                             float(similarities[positive].max()) if positive.any() else 0.0,
                             float(similarities[negative].max()) if negative.any() else 0.0,
                             self._label_ids[nearest])


@dataclass(frozen=True, eq=False)
class Neighbourhood:
    """One question among the bank's examples (ExampleBank.neighbourhood); `features` for each candidate."""

    ids: dict[str, int]  # procedure -> label
    label_ids: np.ndarray  # each example's label, -1 for a negative
    similarities: np.ndarray
    usable: np.ndarray
    best_positive: float
    best_negative: float
    nearest_labels: np.ndarray

    def features(self, procedure_id: str) -> dict[str, float]:
        label = self.ids.get(procedure_id, -2)
        same = self.usable & (self.label_ids == label)
        best_same = float(self.similarities[same].max()) if same.any() else self.best_positive - 0.1
        return {
            "example_same_gap": best_same - self.best_positive,
            "example_negative_gap": self.best_negative - self.best_positive,
            "example_vote": float(np.sum(self.nearest_labels == label)) / NEIGHBOURS,
            "example_negative_vote": float(np.sum(self.nearest_labels == -1)) / NEIGHBOURS,
        }


def embed_examples(embedder: Embedder, examples: tuple[Example, ...]) -> ExampleBank:
    vectors = np.stack([embedder.embed_query(e.question) for e in examples]).astype(np.float32)
    return ExampleBank(vectors, tuple(e.procedure for e in examples))


# Banks already loaded in this process, by embedder, examples and cache directory: every pipeline built over the
# same embedder (a service has one, a test suite many) shares one bank instead of embedding it again.
_LOADED: dict[tuple[str, str, Path | None], ExampleBank] = {}
_LOADED_LOCK = threading.Lock()


class ExampleBanks:
    """The shipped bank for one embedder, embedded on first use (or by `warm`), cached under `cache_dir`."""

    def __init__(self, embedder: Embedder, cache_dir: Path | None = None,
                 examples: tuple[Example, ...] | None = None) -> None:
        self._embedder = embedder
        self._cache_dir = cache_dir
        self._examples = shipped_examples() if examples is None else examples
        # Once here, not on every turn: the bank is fixed for the process's life.
        self._digest = hashlib.sha256(json.dumps([(e.question, e.procedure) for e in self._examples],
                                                 ensure_ascii=False).encode()).hexdigest()[:16]

    def get(self) -> ExampleBank | None:
        if not self._examples:
            return None
        key = (self._embedder.name, self._digest, self._cache_dir)
        with _LOADED_LOCK:
            if key not in _LOADED:
                _LOADED[key] = self._load()
            return _LOADED[key]

    def warm(self) -> None:
        self.get()

    def _load(self) -> ExampleBank:
        labels = tuple(e.procedure for e in self._examples)
        # The default embedder's vectors ship with the bank (scripts/fit_answerability.py writes them): no replica
        # and no test run embeds it. Other embedders compute theirs once and keep them under the data directory.
        shipped = DATA_DIR / self.file_name()
        path = shipped if shipped.exists() else self._cache_path()
        if path is not None and path.exists():
            try:
                vectors = np.load(path)
                if vectors.shape == (len(labels), self._embedder.dimension):
                    return ExampleBank(vectors, labels)
            except (OSError, ValueError) as exc:
                logger.warning("event=example_vectors_unreadable path=%s error=%s", path, type(exc).__name__)
        bank = embed_examples(self._embedder, self._examples)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp.npy")
            np.save(temporary, bank.vectors)
            temporary.replace(path)  # a reader never sees half a file
        logger.info("event=example_vectors_embedded examples=%d embedder=%s", len(labels), self._embedder.name)
        return bank

    def file_name(self) -> str:
        return f"example-vectors-{file_slug(self._embedder)}-{self._digest}.npy"

    def _cache_path(self) -> Path | None:
        return None if self._cache_dir is None else self._cache_dir / "example-vectors" / self.file_name()

