"""Quality is guarded, not only reported: floors on the TEST halves (never tuned on), a little below what
`make eval` measured when they were set (the figures are in the README's quality section). A regression in
retrieval, the answerability model or the composer fails here; raise a floor when quality rises."""

from __future__ import annotations

from typing import Any

import pytest

from bench.quality import FORMS, evaluate_decisions, evaluate_facts, load_sets

# Per form: (right procedure >=, wrong answers on negatives <=, in-scope refused <=, in-scope wrong <=,
#            key-fact recall when the right procedure is answered >=, first paragraph holds a key fact >=)
# Measured on 2026-12-01 (test half, `make eval`, after the gate was refitted with the round-5 training questions,
# tests/golden/training/*_round5.yaml, and per-form negative budgets chosen on held-out dev folds):
# fr 0.96 / 0.06 / 0.03 / 0.01 / 0.82 / 0.86; ar 0.98 / 0.04 / 0.02 / 0.00 / 0.89 / 0.89;
# en 0.90 / 0.03 / 0.06 / 0.01 / 0.84 / 0.81; darija_ar 0.91 / 0.04 / 0.06 / 0.03 / 0.77 / 0.67;
# darija_latin 0.89 / 0.03 / 0.05 / 0.04 / 0.71 / 0.62. Words p50 92 to 113.
# The refit moved answered negatives from Darija to French: darija_latin 0.06 -> 0.03, darija_ar 0.05 -> 0.04,
# French 0.03 -> 0.06 (its ceiling rose from 0.04 to 0.07; the Darija ceilings fell).
# 2026-12-02, the composer's lead taking the sentence ranker's two likeliest sentences from 0.2 (decisions
# unchanged): recall when right fr 0.89, ar 0.89, en 0.87, darija_ar 0.77, darija_latin 0.73; leads fr 0.95, ar 0.89,
# en 0.84, darija_ar 0.67, darija_latin 0.68; words p50 96 to 116. The French, English and Darija-Latin floors rose.
# Then the intent phrases for Darija's conjugated "must/may", Darija "online" and the idioms (dev and training
# questions only): recall when right darija_ar 0.77 -> 0.74 (one question's facts), darija_latin 0.73 -> 0.76; leads
# unchanged; words p50 98 to 116.
FLOORS: dict[str, tuple[float, float, float, float, float, float]] = {
    "fr": (0.92, 0.07, 0.07, 0.04, 0.85, 0.91),
    "ar": (0.94, 0.07, 0.05, 0.03, 0.85, 0.85),
    "en": (0.86, 0.05, 0.09, 0.03, 0.83, 0.80),
    "darija_ar": (0.87, 0.06, 0.09, 0.06, 0.71, 0.64),
    "darija_latin": (0.84, 0.05, 0.08, 0.07, 0.72, 0.64),
}
WORDS_P50_AT_MOST = 120  # issue 12's aim: room to quote, not a card
# Ambiguous questions (16 or 17 per form since 2026-11-30): the right procedure among the clarify choices, or
# answered. Measured on 2026-12-01 after the round-5 refit: fr 12/17, ar 15/17, en 8/17, darija_ar 10/16,
# darija_latin 9/16 (before it: 10, 15, 8, 10, 9); floors one question below. Clarify on unambiguous questions:
# 0.00 to 0.03.
AMBIGUOUS_RIGHT_AT_LEAST = {"fr": 11 / 17, "ar": 14 / 17, "en": 7 / 17, "darija_ar": 9 / 16, "darija_latin": 8 / 16}
CLARIFY_UNAMBIGUOUS_AT_MOST = 0.06  # issue 13's aim is 0.05


@pytest.fixture(scope="module")
def measured(pipeline) -> dict[str, dict[str, Any]]:
    sets = load_sets("test")
    decisions = {r["form"]: r for r in evaluate_decisions(pipeline, sets)["rows"]}
    facts = {r["form"]: r for r in evaluate_facts(pipeline, sets["facts"])["rows"]}
    return {form: {**decisions[form], **facts[form]} for form in FORMS}


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("form", FORMS)
def test_the_test_half_keeps_its_quality_floors(measured, form: str) -> None:
    right, negatives_wrong, refused, wrong, recall, leads = FLOORS[form]
    row = measured[form]
    assert row["right"] >= right, row
    assert row["negatives_wrong"] <= negatives_wrong, row
    assert row["in_scope_refused"] <= refused, row
    assert row["in_scope_wrong"] <= wrong, row
    assert row["recall_when_right"] >= recall, row
    assert row["leads"] >= leads, row
    assert row["words_p50"] <= WORDS_P50_AT_MOST, row
    assert row["ambiguous_right_in_choices"] >= AMBIGUOUS_RIGHT_AT_LEAST[form] - 1e-9, row
    assert row["clarify_unambiguous"] <= CLARIFY_UNAMBIGUOUS_AT_MOST, row
