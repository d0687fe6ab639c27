"""A person's situation (expired, lost, stolen, damaged, abroad, minor, first time, change, urgent, online), read
from their question with the phrases of assistant/data/situations.yaml, and the record parts that answer it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.resources import load_data
from assistant.text import SKELETON_LETTERS, fold, folded_phrases, padded_question, skeleton, skeleton_phrase

PARTS = ("documents", "fees", "delay", "where", "online", "validity", "conditions")


@dataclass(frozen=True)
class Situation:
    name: str
    parts: tuple[str, ...]
    terms: tuple[str, ...]  # folded record-side words that mark a body sentence answering it


@lru_cache(maxsize=1)
def _situations() -> tuple[tuple[Situation, tuple[str, ...], tuple[str, ...]], ...]:
    loaded = []
    for name, entry in load_data("situations").items():
        unknown = set(entry["parts"]) - set(PARTS)
        if unknown:
            raise RuntimeError(f"situations.yaml: {name} names unknown parts {sorted(unknown)}")
        terms = tuple(fold(t).strip() for t in entry["terms"])
        triggers = folded_phrases(tuple(entry["triggers"]))
        loaded.append((Situation(name, tuple(entry["parts"]), terms), triggers,
                       tuple(skeleton_phrase(t) for t in triggers if _spelled_apart(t))))
    return tuple(loaded)


def _spelled_apart(trigger: str) -> bool:
    """A Latin phrase whose skeleton still names it: two words or more, each keeping two letters, SKELETON_LETTERS + 1
    in all ("awel mera": "wl mr"). One word's skeleton meets too many others ("ghda", tomorrow, and "ghadi")."""
    if not trigger.isascii():
        return False
    letters = [len(skeleton(w)) for w in trigger.split()]
    return len(letters) > 1 and min(letters) >= 2 and sum(letters) >= SKELETON_LETTERS + 1


def detect_situations(question: str, arabizi: bool = False) -> list[Situation]:
    """`arabizi`: a Latin Darija question also matches the triggers by skeleton (assistant.text.skeleton): "awel
    mara", "awal mera" and "l'awel mera" are the one "first time" nobody spells alike."""
    padded = padded_question(question)
    bare = skeleton_phrase(padded) if arabizi else ""
    return [situation for situation, triggers, skeletons in _situations()
            if any(t in padded for t in triggers) or any(k in bare for k in skeletons)]
