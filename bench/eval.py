"""`make eval`: retrieval and refusal quality on the golden set, per language form, for BM25 only, dense only
and the hybrid pipeline, measured in the same run over the same index."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from assistant.llm import MistralChatModel
from assistant.pipeline import AnswerPipeline, PipelineConfig
from assistant.retrieval import HybridRetriever
from bench import quality
from core.embedders import build_embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"
FORMS = ("fr", "ar", "en", "darija_ar", "darija_latin")
CHANNELS = {"bm25": {"dense": False}, "dense": {"keyword": False}, "hybrid": {}}


def load_golden() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    in_scope = []
    for path in sorted((GOLDEN / "procedures").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        in_scope += [{**q, "procedure": data["procedure"]} for q in data["questions"]]
    outside = yaml.safe_load((GOLDEN / "out_of_scope.yaml").read_text(encoding="utf-8"))["messages"]
    return in_scope, outside


def evaluate(pipeline: AnswerPipeline, every: int = 1) -> dict[str, Any]:
    """`every` > 1 keeps one question in `every` (a quick look, as `make bench --quick` takes)."""
    in_scope, outside = load_golden()
    in_scope, outside = in_scope[::every], outside[::every]
    ranks: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    refused_in_scope: dict[str, int] = defaultdict(int)
    misses = []
    for item in in_scope:
        context = pipeline.prepare(item["q"])
        if context.status != "answered":
            refused_in_scope[item["form"]] += 1
        for channel, switches in CHANNELS.items():
            retrieval = pipeline.retriever.retrieve(context.question, context.keyword_query, form=context.form,
                                                    **switches)
            ids = [c.procedure_id for c in retrieval.candidates]
            rank = ids.index(item["procedure"]) + 1 if item["procedure"] in ids else None
            ranks[(item["form"], channel)].append(rank)
            if channel == "hybrid" and rank != 1:
                misses.append({"form": item["form"], "q": item["q"], "want": item["procedure"], "got": ids[:3]})
    outside_refused: dict[str, int] = defaultdict(int)
    outside_total: dict[str, int] = defaultdict(int)
    leaks = []
    for item in outside:
        context = pipeline.prepare(item["q"])
        outside_total[item["form"]] += 1
        if context.status != "answered":
            outside_refused[item["form"]] += 1
        else:
            leaks.append({"form": item["form"], "q": item["q"], "expect": item["expect"]})
    rows = []
    for form in FORMS:
        total = len(ranks[(form, "hybrid")])
        refused_out, out_total = outside_refused[form], outside_total[form]
        row: dict[str, Any] = {"form": form, "questions": total, "outside": out_total}
        for channel in CHANNELS:
            values = ranks[(form, channel)]
            row[f"{channel}_hit1"] = sum(r == 1 for r in values) / max(total, 1)
            row[f"{channel}_hit5"] = sum(r is not None and r <= 5 for r in values) / max(total, 1)
            row[f"{channel}_mrr"] = sum(1 / r for r in values if r) / max(total, 1)
        # Refusal: "refused" means any status other than answered.
        true_refusals = refused_out
        all_refusals = refused_out + refused_in_scope[form]
        row["refusal_precision"] = true_refusals / all_refusals if all_refusals else 1.0
        row["refusal_recall"] = refused_out / out_total if out_total else 1.0
        row["in_scope_refused"] = refused_in_scope[form] / max(total, 1)
        rows.append(row)
    return {"rows": rows, "misses": misses, "leaks": leaks}


def print_table(result: dict[str, Any], console: Console) -> None:
    table = Table(title="Golden set: retrieval of the cited procedure and refusals, per language form")
    columns = ["form", "n", "out"] + [f"{c} {m}" for c in CHANNELS for m in ("hit@1", "hit@5", "MRR")] + [
        "refusal P", "refusal R", "in-scope refused"]
    for column in columns:
        table.add_column(column, justify="right", no_wrap=True)
    for row in result["rows"]:
        cells = [row["form"], str(row["questions"]), str(row["outside"])]
        for channel in CHANNELS:
            cells += [f"{row[f'{channel}_{m}']:.2f}" for m in ("hit1", "hit5", "mrr")]
        cells += [f"{row['refusal_precision']:.2f}", f"{row['refusal_recall']:.2f}", f"{row['in_scope_refused']:.2f}"]
        table.add_row(*cells)
    console.print(table)


def _cell(value: Any, percent: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if percent else f"{value:g}"


def print_decisions(result: dict[str, Any], half: str, console: Console) -> None:
    table = Table(title=f"Decisions, {half} half: right procedure, wrong procedure, refused, clarify, per form")
    columns = ["form", "in-scope n", "right", "wrong", "refused", "clarify (unambiguous)", "negatives n",
               "wrong on negatives", "ambiguous n", "clarify", "right among choices"]
    for column in columns:
        table.add_column(column, justify="right")
    for r in result["rows"]:
        table.add_row(r["form"], str(r["in_scope"]), _cell(r["right"]), _cell(r["in_scope_wrong"]),
                      _cell(r["in_scope_refused"]), _cell(r["clarify_unambiguous"]), str(r["negatives"]),
                      _cell(r["negatives_wrong"]), str(r["ambiguous"]), _cell(r["ambiguous_clarify"]),
                      _cell(r["ambiguous_right_in_choices"]))
    console.print(table)


def print_facts(result: dict[str, Any], half: str, console: Console, path: str = "extractive") -> None:
    table = Table(title=f"Key facts, {half} half, {path} path: recall, lead, length in words")
    for column in ["form", "n", "fact recall", "situational recall", "recall when right", "leads with a fact",
                   "leads when right", "words p50 (answered)", "words p95"]:
        table.add_column(column, justify="right")
    for r in result["rows"]:
        table.add_row(r["form"], str(r["questions"]), _cell(r["fact_recall"]), _cell(r["situational_recall"]),
                      _cell(r["recall_when_right"]), _cell(r["leads"]), _cell(r["leads_when_right"]),
                      _cell(r["words_p50"], False),
                      _cell(r["words_p95"], False))
    console.print(table)


def aims_line(decisions: dict[str, Any], facts: dict[str, Any]) -> str:
    """One line: per aim, the worst form on the test half against the aim."""
    parts = []
    for key, bound in quality.AIMS.items():
        rows = decisions["rows"] if key in decisions["rows"][0] else facts["rows"]
        values = [(r[key], r["form"]) for r in rows if r.get(key) is not None]
        if not values:
            continue
        higher_is_better = key in ("ambiguous_right_in_choices", "fact_recall", "situational_recall", "leads")
        worst, form = min(values) if higher_is_better else max(values)
        met = worst >= bound if higher_is_better else worst <= bound
        parts.append(f"{key} {'>=' if higher_is_better else '<='} {bound:g}: worst {worst:.2f} ({form}) "
                     f"{'met' if met else 'MISSED'}")
    return "aims (test half): " + "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the result as JSON here")
    parser.add_argument("--misses", action="store_true", help="list the mistakes (dev half only)")
    parser.add_argument("--half", choices=("dev", "test", "both"), default="both")
    args = parser.parse_args(argv)
    settings = Settings()
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    pipeline = AnswerPipeline(HybridRetriever(embedder, index), config=PipelineConfig(examples_cache=settings.data_dir))
    console = Console(width=200)
    result: dict[str, Any] = {"retrieval": evaluate(pipeline)}
    print_table(result["retrieval"], console)
    for half in (("dev", "test") if args.half == "both" else (args.half,)):
        sets = quality.load_sets(half)
        decisions = quality.evaluate_decisions(pipeline, sets)
        facts = quality.evaluate_facts(pipeline, sets["facts"])
        result[half] = {"decisions": decisions, "facts": facts}
        print_decisions(decisions, half, console)
        print_facts(facts, half, console)
        if half == "test":
            console.print(aims_line(decisions, facts))
        if args.misses and half == "dev":
            for miss in decisions["mistakes"] + facts["misses"]:
                console.print(miss)
    model_line = _model_path(settings, console, result)
    console.print(model_line)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


def _model_path(settings: Settings, console: Console, result: dict[str, Any]) -> str:
    """The key-fact evaluation through the model when a Mistral-compatible server is configured."""
    if not settings.mistral_api_key:
        return "model path not run: no server (set SAHLA_MISTRAL_API_KEY and SAHLA_MISTRAL_SERVER_URL)"
    chat_model = MistralChatModel(settings.mistral_api_key.get_secret_value(), settings.mistral_model,
                                  settings.mistral_server_url, settings.mistral_timeout_seconds)
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    pipeline = AnswerPipeline(HybridRetriever(embedder, index), chat_model,
                              PipelineConfig(examples_cache=settings.data_dir))
    facts = quality.evaluate_facts(pipeline, quality.load_sets("test")["facts"])
    result["model_test_facts"] = facts
    print_facts(facts, "test", console, path="model")
    return f"model path run against {settings.mistral_server_url or 'the Mistral API'} ({settings.mistral_model})"


if __name__ == "__main__":
    sys.exit(main())
