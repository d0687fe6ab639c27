"""A person's situation (expired, lost, stolen, damaged, abroad, minor, first time, change, urgent, online), read
from their question with the phrases of assistant/data/situations.yaml, and the record parts that answer it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.resources import load_data
from assistant.text import fold, folded_phrases, padded_question

PARTS = ("documents", "fees", "delay", "where", "online", "validity", "conditions")


@dataclass(frozen=True)
class Situation:
    name: str
    parts: tuple[str, ...]
    terms: tuple[str, ...]  # folded record-side words that mark a body sentence answering it


@lru_cache(maxsize=1)
def _situations() -> tuple[tuple[Situation, tuple[str, ...]], ...]:
    loaded = []
    for name, entry in load_data("situations").items():
        unknown = set(entry["parts"]) - set(PARTS)
        if unknown:
            raise RuntimeError(f"situations.yaml: {name} names unknown parts {sorted(unknown)}")
        terms = tuple(fold(t).strip() for t in entry["terms"])
        loaded.append((Situation(name, tuple(entry["parts"]), terms), folded_phrases(tuple(entry["triggers"]))))
    return tuple(loaded)


def detect_situations(question: str) -> list[Situation]:
    padded = padded_question(question)
    return [situation for situation, triggers in _situations() if any(t in padded for t in triggers)]
