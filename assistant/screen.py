"""Screening before retrieval: a person in distress gets care first; manipulation and abuse are refused.

The text is screened as a person reads it, not as it is encoded: invisible characters (zero-width joiners and
non-joiners, soft hyphens, word joiners, bidi marks, tag characters: every Unicode format character) are removed
and compatibility forms (full-width letters) folded before the patterns run, so "ign\u200core" is "ignore".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.resources import load_data
from assistant.text import matches_any, words

Kind = Literal["distress", "injection", "abuse", "illegal", "partisan"]
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0")  # not category Cf, still blank
ANSWER_LANGUAGES = ("fr", "ar", "en", "darija")


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    pattern: str


def visible_text(text: str) -> str:
    """The text without invisible characters, in compatibility form."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and ch not in _INVISIBLE_EXTRA)
    return unicodedata.normalize("NFKC", kept)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    safety = load_data("safety")
    return {kind: tuple(re.compile(p) for p in safety[kind]) for kind in ("injection", "abuse", "illegal", "partisan")}


@lru_cache(maxsize=1)
def _distress() -> dict[str, object]:
    data: dict[str, object] = load_data("distress")
    replies = data["reply"]
    missing = [lang for lang in ANSWER_LANGUAGES if lang not in replies]  # type: ignore[operator]
    if missing:
        raise RuntimeError(f"distress.yaml lacks replies in {missing}")
    return data


def _match(text: str, kinds: tuple[str, ...]) -> Verdict | None:
    visible = visible_text(text)
    folded, raw = " ".join(words(visible)), visible.lower()
    patterns = _patterns()
    for kind in kinds:
        for pattern in patterns[kind]:
            if pattern.search(folded) or pattern.search(raw):
                return Verdict(kind, pattern.pattern)  # type: ignore[arg-type]
    return None


def screen_message(text: str) -> Verdict | None:
    """Distress, then manipulation, abuse, a request to break the law, partisan advice; None for a message to
    answer."""
    phrases = [p for group in _distress()["phrases"].values() for p in group]  # type: ignore[attr-defined]
    if matches_any(visible_text(text), phrases):
        return Verdict("distress", "distress")
    return _match(text, ("injection", "abuse", "illegal", "partisan"))


def find_instruction(text: str) -> str | None:
    """The manipulation pattern a text matches (uploaded records are checked with it), or None."""
    verdict = _match(text, ("injection",))
    return verdict.pattern if verdict else None


def distress_reply(language: str) -> str:
    """A short caring reply with the helpline, in the answer's language (Arabic, then French, for Amazigh)."""
    replies: dict[str, str] = _distress()["reply"]  # type: ignore[assignment]
    if language == "amazigh":
        return f"{replies['ar']}\n\n{replies['fr']}"
    return replies.get(language) or replies["fr"]
