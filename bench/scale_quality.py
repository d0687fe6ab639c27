"""Quality of the golden set at scale: the right procedure on the in-scope questions of the test half, and what
happens to the negatives, with or without the synthetic catalogue in the index.

- right procedure: the turn is answered and its chosen procedure is the expected one (a clarify turn that offers
  it is counted apart);
- wrong on negatives: a message about no public service (out_of_scope.yaml, negatives/ood.yaml and
  negatives/degenerate.yaml where present) is answered;
- unheld procedures (negatives/not_held.yaml, where present): answered from one of our corpus procedures is wrong;
  answered from a catalogue procedure is counted apart, since a national catalogue may well hold it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.pipeline import AnswerPipeline
from bench.catalogue import ID_PREFIX

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def _messages(path: Path, key: str) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))[key])


def _half(items: list[dict[str, Any]], half: str) -> list[dict[str, Any]]:
    """One half where the set is split, else everything. The report reads the test half (never tuned on); a change
    to the gate is chosen on the dev half."""
    chosen = [item for item in items if item.get("half") == half]
    return chosen or items


def golden_questions(every: int = 1, half: str = "test") -> dict[str, list[dict[str, Any]]]:
    in_scope = []
    for path in sorted((GOLDEN / "procedures").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        in_scope += [{**q, "procedure": data["procedure"]} for q in data["questions"]]
    off_topic = _messages(GOLDEN / "out_of_scope.yaml", "messages")
    for name in ("ood.yaml", "degenerate.yaml"):
        off_topic += _messages(GOLDEN / "negatives" / name, "questions")
    not_held = _messages(GOLDEN / "negatives" / "not_held.yaml", "questions")
    return {"in_scope": _half(in_scope, half)[::every], "off_topic": _half(off_topic, half)[::every],
            "not_held": _half(not_held, half)[::every]}


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def measure_quality(pipeline: AnswerPipeline, questions: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    right = 0
    to_catalogue = 0
    clarified = 0
    misses = []
    for item in questions["in_scope"]:
        context = pipeline.prepare(item["q"])
        chosen = context.chosen.procedure_id if context.status == "answered" and context.chosen else None
        right += chosen == item["procedure"]
        to_catalogue += bool(chosen and chosen.startswith(ID_PREFIX))
        # A clarify turn that offers the right procedure among its choices is not an answer yet, nor a wrong one.
        clarified += context.status == "clarify" and item["procedure"] in {c.procedure_id for c in context.choices}
        if chosen != item["procedure"]:
            misses.append({"q": item["q"], "form": item.get("form"), "want": item["procedure"],
                           "status": context.status, "got": chosen})
    answered_off_topic = sum(pipeline.prepare(item["q"]).status == "answered" for item in questions["off_topic"])
    held_wrong = from_catalogue = 0
    for item in questions["not_held"]:
        context = pipeline.prepare(item["q"])
        if context.status == "answered" and context.chosen:
            from_catalogue += context.chosen.procedure_id.startswith(ID_PREFIX)
            held_wrong += not context.chosen.procedure_id.startswith(ID_PREFIX)
    n_in, n_off, n_not = (len(questions[k]) for k in ("in_scope", "off_topic", "not_held"))
    return {
        "in_scope": n_in, "right_procedure": _rate(right, n_in), "answered_from_catalogue": _rate(to_catalogue, n_in),
        "clarified_with_the_right_choice": _rate(clarified, n_in),
        "off_topic": n_off, "off_topic_answered": _rate(answered_off_topic, n_off),
        "not_held": n_not, "not_held_answered_from_corpus": _rate(held_wrong, n_not),
        "not_held_answered_from_catalogue": _rate(from_catalogue, n_not),
        "misses": misses,  # every in-scope question not answered from its procedure, to read why
    }
