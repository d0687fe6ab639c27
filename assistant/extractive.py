"""Extractive answers: composed from the structured record, shaped by what was asked, no model involved."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.resources import load_data
from assistant.retrieval import StoredRecord
from assistant.text import folded_phrases, padded_words, words

INTENTS = ("documents", "fees", "delay", "where", "online", "validity", "conditions")
# What a general question gets: the essentials a person needs to act.
GENERAL = ("documents", "fees", "delay", "where", "online")
_SECTION_NAMES = {"conditions": {"fr": "Conditions", "ar": "الشروط", "en": "Conditions"},
                  "description": {"fr": "Description", "ar": "الوصف", "en": "Description"}}


@lru_cache(maxsize=1)
def _intent_words() -> dict[str, list[str]]:
    data: dict[str, list[str]] = load_data("intents")
    missing = set(INTENTS) - set(data)
    if missing:
        raise RuntimeError(f"intents.yaml lacks {sorted(missing)}")
    return data


@lru_cache(maxsize=1)
def intent_vocabulary() -> frozenset[str]:
    """Every word of every intent phrase: a message made of these alone asks about something said before."""
    return frozenset(w for phrases in _intent_words().values() for p in phrases for w in words(p))


@lru_cache(maxsize=1)
def _intent_phrases() -> dict[str, tuple[str, ...]]:
    return {intent: folded_phrases(tuple(phrases)) for intent, phrases in _intent_words().items()}


def detect_intents(question: str) -> list[str]:
    folded = padded_words(question)  # once, not once per intent
    phrases = _intent_phrases()
    return [intent for intent in INTENTS if any(p in folded for p in phrases[intent])]


def compose_extractive(stored: StoredRecord, intents: list[str], language: str, marker: int = 1) -> str:
    """`language` is the answer's: fr, ar, en or darija (Darija frames the Arabic record)."""
    record = stored.record
    t = load_data("templates")[language]
    intro = t["intro"].format(title=record.title, administration=record.administration or "", n=marker)
    lines = [intro.replace(" ()", "")]  # a document may not name its administration
    description = _section(stored.body, _SECTION_NAMES["description"][record.lang])
    if not description and not record.structured:
        # A text-only document (no recognised sections) answers from its own opening text.
        description = re.sub(r"^##.*$", "", stored.body, flags=re.MULTILINE)
    if (not intents or not record.structured) and description:
        lines.append(_first_sentences(description, 2 if record.structured else 4))
    for intent in intents or GENERAL:
        lines.extend(_part(intent, stored, t))
    if record.notes and ("fees" in intents or "delay" in intents or not intents):
        lines.append(t["notes"].format(notes=_first_sentences(record.notes, 2)))
    if record.last_reviewed is not None:
        lines.append(t["source"].format(date=record.last_reviewed.isoformat()))
    else:
        lines.append(t["source_undated"])
    return "\n\n".join(line for line in lines if line)


def _part(intent: str, stored: StoredRecord, t: dict[str, str]) -> list[str]:
    record = stored.record
    # A field the source does not state is said to be missing, never filled in (records from documents).
    if intent in ("documents", "fees", "delay", "where", "validity") and getattr(record, intent) is None:
        if intent == "documents":
            return [f"{t['documents']} {t['not_stated']}"]
        return [t[intent].format(**{intent: t["not_stated"], "fees": t["not_stated"]})]
    if intent == "documents":
        return [t["documents"] + "\n" + "\n".join(f"- {d}" for d in record.documents or [])]
    if intent == "fees":
        if not record.fees:
            return [t["fees"].format(fees=t["fees_unknown"])]
        if all(f.amount_mad == 0 for f in record.fees):
            return [t["fees"].format(fees=t["free"])]
        return [t["fees"].format(fees="; ".join(f"{f.label}: {f.amount_mad:g} MAD" for f in record.fees))]
    if intent == "delay":
        return [t["delay"].format(delay=record.delay)]
    if intent == "where":
        return [t["where"].format(where=record.where)]
    if intent == "online":
        service = record.online_service
        return [t["online"].format(name=service.name, url=service.url) if service else t["no_online"]]
    if intent == "validity":
        return [t["validity"].format(validity=record.validity)]
    conditions = _section(stored.body, _SECTION_NAMES["conditions"][record.lang])
    return [t["conditions"].format(conditions=_first_sentences(conditions, 3))] if conditions else []


def _section(body: str, heading: str) -> str:
    match = re.search(rf"^##\s+{re.escape(heading)}\s*$(.*?)(?=^##\s|\Z)", body, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else ""


def _first_sentences(text: str, count: int) -> str:
    flat = " ".join(line.strip().lstrip("-*0123456789. ") for line in text.splitlines() if line.strip())
    sentences = re.split(r"(?<=[.!?؟])\s+", flat)
    return " ".join(sentences[:count])
