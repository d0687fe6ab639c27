"""Quality is guarded, not only reported: floors on the TEST halves (never tuned on), a little below what
`make eval` measured when they were set (the figures are in the README's quality section). A regression in
retrieval, the answerability model or the composer fails here; raise a floor when quality rises."""

from __future__ import annotations

from typing import Any

import pytest

from bench.quality import FORMS, evaluate_decisions, evaluate_facts, load_sets

# Per form: (right procedure >=, wrong answers on negatives <=, in-scope refused <=, in-scope wrong <=,
#            key-fact recall when the right procedure is answered >=)
# Measured on 2026-11-29 (test half): fr 0.72 / 0.07 / 0.27 / 0.01 / 0.79; ar 0.75 / 0.06 / 0.23 / 0.00 / 0.75;
# en 0.64 / 0.08 / 0.36 / 0.00 / 0.70; darija_ar 0.57 / 0.03 / 0.36 / 0.04 / 0.61; darija_latin 0.57 / 0.05 / 0.40 /
# 0.03 / 0.80.
FLOORS: dict[str, tuple[float, float, float, float, float]] = {
    "fr": (0.68, 0.09, 0.31, 0.05, 0.75),
    "ar": (0.68, 0.08, 0.30, 0.03, 0.71),
    "en": (0.60, 0.11, 0.40, 0.03, 0.63),
    "darija_ar": (0.52, 0.06, 0.42, 0.07, 0.53),
    "darija_latin": (0.51, 0.08, 0.46, 0.07, 0.73),
}


@pytest.fixture(scope="module")
def measured(pipeline) -> dict[str, dict[str, Any]]:
    sets = load_sets("test")
    decisions = {r["form"]: r for r in evaluate_decisions(pipeline, sets)["rows"]}
    facts = {r["form"]: r for r in evaluate_facts(pipeline, sets["facts"])["rows"]}
    return {form: {**decisions[form], **facts[form]} for form in FORMS}


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("form", FORMS)
def test_the_test_half_keeps_its_quality_floors(measured, form: str) -> None:
    right, negatives_wrong, refused, wrong, recall = FLOORS[form]
    row = measured[form]
    assert row["right"] >= right, row
    assert row["negatives_wrong"] <= negatives_wrong, row
    assert row["in_scope_refused"] <= refused, row
    assert row["in_scope_wrong"] <= wrong, row
    assert row["recall_when_right"] >= recall, row
