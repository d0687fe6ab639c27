"""Languages and language forms: the one place that says what they are and how a message's form is read.

A *language* is what Sahla answers in (fr, ar, en, darija, amazigh). A *form* is how the question was written,
which retrieval and the answerability check weigh: Darija splits into Arabic script and Latin letters
("Arabizi"), which read very differently to the embedder and to BM25.
"""

from __future__ import annotations

import re
from typing import Literal

UserLanguage = Literal["fr", "ar", "en", "darija", "amazigh"]
Form = Literal["fr", "ar", "en", "darija", "darija_latin", "amazigh"]
ANSWER_LANGUAGES: tuple[str, ...] = ("fr", "ar", "en", "darija", "amazigh")
RECORD_LANGUAGES: tuple[str, ...] = ("fr", "ar", "en")
# Which record language serves each answer language: Darija answers frame the Arabic record.
RECORD_LANGUAGE: dict[str, str] = {"fr": "fr", "ar": "ar", "en": "en", "darija": "ar", "amazigh": "ar"}
LANGUAGE_NAMES: dict[str, str] = {
    "fr": "French", "ar": "Modern Standard Arabic", "en": "English",
    "darija": "Moroccan Darija written in Arabic script", "amazigh": "Arabic, then French",
}
# The evaluation sets name forms as people write them; darija_ar is the form "darija".
EVAL_FORMS: tuple[str, ...] = ("fr", "ar", "en", "darija_ar", "darija_latin")

ARABIC_LETTER_RANGE = "\u0621-\u064a"
ARABIC_LETTER = re.compile(f"[{ARABIC_LETTER_RANGE}]")
TIFINAGH_LETTER = re.compile("[\u2d30-\u2d7f]")
LATIN_LETTER = re.compile("[A-Za-z]")


def has_arabic_letter(text: str) -> bool:
    return ARABIC_LETTER.search(text) is not None


def language_form(text: str, detected: str) -> str:
    """The form of a message whose language was detected as `detected`: Darija with no Arabic letter is
    Darija in Latin letters, whatever else (digits, punctuation, French words) it holds."""
    if detected == "darija" and not has_arabic_letter(text):
        return "darija_latin"
    if detected == "amazigh":
        # Amazigh written to Sahla comes mixed with Darija: retrieval and the gate read it as Darija.
        return "darija" if has_arabic_letter(text) else "darija_latin"
    return detected


def eval_form(form: str) -> str:
    """The evaluation sets' name of a form."""
    return "darija_ar" if form == "darija" else form
