"""Offline language identification for what Moroccans actually type.

Order of evidence: Tifinagh letters (Amazigh); Arabic script, split into Darija and Modern Standard Arabic by
Darija marker words; Latin script, where the arabizi package's word-level detection finds Darija (digits 3/7/9,
Darija lexicon) before py3langid decides between French and English. Mixed messages are the norm: Darija with
French words is still Darija.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import arabizi
from arabizi import Script

from assistant.forms import ARABIC_LETTER, LATIN_LETTER, TIFINAGH_LETTER, UserLanguage, language_form
from assistant.resources import load_data
from assistant.text import words
from core.langid import classify


@lru_cache(maxsize=1)
def _markers() -> dict[str, frozenset[str]]:
    data = load_data("language")
    return {key: frozenset(w for m in values for w in words(m)) for key, values in data.items()}


def detect_language(text: str) -> UserLanguage:
    if TIFINAGH_LETTER.search(text):
        return "amazigh"
    markers = _markers()
    tokens = words(text)
    if any(t in markers["amazigh_latin_markers"] for t in tokens):
        return "amazigh"
    arabic_letters = len(ARABIC_LETTER.findall(text))
    latin_letters = len(LATIN_LETTER.findall(text))
    if arabic_letters >= latin_letters and arabic_letters > 0:
        return "darija" if any(t in markers["darija_arabic_markers"] for t in tokens) else "ar"
    if latin_letters == 0:
        return "fr"  # digits or symbols only: the widget's default language
    if any(t in markers["darija_latin_markers"] for t in tokens):
        return "darija"
    return _latin_language(text)


def language_and_form(text: str) -> tuple[UserLanguage, str]:
    """The language a message is written in and its form (assistant.forms)."""
    detected = detect_language(text) if text else "fr"
    return detected, language_form(text, detected)


def _latin_language(text: str) -> UserLanguage:
    scripts: Counter[Script] = Counter(token.script for token in arabizi.detect(text))
    darija = scripts[Script.ARABIZI]
    european = scripts[Script.FRENCH] + scripts[Script.ENGLISH]
    if darija and darija >= european:
        return "darija"
    label, _ = classify(text)
    return "en" if label == "en" else "fr"
