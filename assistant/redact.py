"""Personal data that must not leave the process or reach storage and logs: CIN, phone, e-mail, RIB, CNSS and
numbers a person labels as theirs ("ra9m", "رقم", "numéro").

People write the same number in many spellings: full-width letters, Arabic-Indic digits, no-break or zero-width
characters inside, dots, slashes or brackets between groups. The patterns run on a folded copy of the text (see
`fold_for_matching`) that remembers where each character came from, and each match is replaced in the original
text as a whole: nothing is half-redacted, and text around a match is kept as written.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

# Characters that render as nothing: dropped before matching, so "06\u200b12..." is one number.
_INVISIBLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
                       "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_SEP = r"[ .\-/]"  # what may stand between the groups of a number once folded

# "@" in any form, "[at]", "(at)" or "arobase": any dot may follow. A bare " at " is English prose ("online at
# chikaya.ma") unless the dot after it is spelled out too ("karim at gmail dot com").
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|arobase)\s*[\])}>]\s*|\s+(?:arobase|arobas)\s+)"
_SPELLED_DOT = r"(?:\s*[\[({<]\s*(?:dot|point)\s*[\])}>]\s*|\s+(?:dot|point)\s+)"
_DOT = rf"(?:\.|{_SPELLED_DOT})"
_ID_WORDS = (r"cin|cnie|c\.i\.n|carte nationale|carte d'identit[eé]|identity card|id card|passeport|passport|"
             r"bita9a|btaka|bitaqa|لاكارط|البطاقة|بطاقة|جواز|massar|مسار|ra9m|r9m|raqm|رقم|رقمي|num[eé]ro|"
             r"numero|number|matricule|compte|حساب|hsab|7sab")

# Dates are matched first and kept: "06/12/2024 10" is not a phone number, nor "le 2025-11-20" a CIN.
_KEEP = re.compile(r"(?<!\d)(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2})(?!\d)")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,10}}\b"
                         rf"|[\w.+-]+\s+at\s+[\w-]+{_SPELLED_DOT}[\w-]+(?:{_DOT}[\w-]+)*\b", re.IGNORECASE)),
    # RIB: 24 digits, in any grouping.
    ("RIB", re.compile(rf"(?<!\d)\d(?:{_SEP}{{0,3}}\d){{23}}(?!\d)")),
    # CNSS: the word, then a 7 to 12 digit number in any grouping.
    ("CNSS", re.compile(rf"(?i)(?:cnss|ضمان|daman|damane).{{0,25}}?(?P<v>\d(?:{_SEP}{{0,2}}\d){{6,11}})(?!\d)")),
    # Moroccan phones: +212 / 00212 / 212 / (+212) / +212 (0) / 0, then 5-8 and eight digits, in any grouping.
    ("PHONE", re.compile(
        r"(?<![\w+])(?:\(?\s*(?:\+|00)\s*212\s*\)?|212)[ .\-/]{0,3}(?:\(\s*0\s*\)[ .\-/]{0,3})?[5-8](?:[ .\-/]{0,3}\d){8}"
        r"(?!\d)"
        r"|(?<![\w+])0[ .\-/]{0,2}[5-8](?:[ .\-/]{0,3}\d){8}(?!\d)")),
    # CIN: one or two letters and five or six digits ("AB123456", "ab-123456", "AB 123 456"). Four digits are a
    # year ("le 2025"), so they never make a CIN; with a space the letters must be capitals, so that "le 12345" stays.
    ("CIN", re.compile(r"(?<![\w])(?!(?:DH|MAD|BP)\b)(?:[A-Za-z]{1,2}(?:-|/)?\d(?:[ .]?\d){4,5}|"
                       r"[A-Z]{1,2}[ .\-]{1,2}\d(?:[ .]?\d){4,5})(?![\d\w])")),
    # A number a person labels as theirs: the label, then six or more digits, maybe after one or two letters.
    ("ID", re.compile(rf"(?i)(?<!\w)(?:{_ID_WORDS})(?!\w).{{0,30}}?(?<![\w])"
                      rf"(?P<v>(?:[a-z]{{1,2}}[ \-]?)?\d(?:{_SEP}{{0,2}}\d){{5,}})(?!\d)")),
]


# Every e-mail match holds one of these, and every other pattern (and a date to keep) a digit: a text without
# them is not searched for that kind, which most questions and answers are not (the e-mail pattern alone was half
# of redaction's cost, and redaction runs on every question and answer).
_EMAIL_HINT = re.compile(r"(?i)@|arobas|[\[({<]\s*at\s*[\])}>]|dot|point")
_DIGIT = re.compile(r"\d")


def fold_for_matching(text: str) -> tuple[str, list[int]]:
    """The text folded for matching, and for each folded character the index of the original character it came
    from: NFKC (full-width letters and digits, '＠'), every decimal digit as ASCII, invisible characters dropped,
    every Unicode space as ' ', every dash as '-'."""
    pieces = [_fold_char(char) for char in text]
    folded = "".join(pieces)
    if len(folded) == len(text) and all(pieces):  # one character for one (most texts): origin is the position
        return folded, list(range(len(text)))
    origin = [index for index, piece in enumerate(pieces) for _ in piece]
    return folded, origin


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """What one character becomes for matching (nothing, one character or several); the same every time, so
    remembered: redaction runs on every question and answer, and a test per character was most of its cost."""
    if char in _INVISIBLE:
        return ""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    if char in _DASHES:
        return "-"
    if char.isspace():
        return " " if char not in "\n\r" else char
    return unicodedata.normalize("NFKC", char)


# A turn reads the same texts more than once (the question in the gate, the answer cache and storage; the answer in
# the output check and storage). The last short texts found clean are remembered; a text in which redaction finds
# personal data never is (what the patterns cannot see, a name or a street, may be kept: it is nowhere else kept
# longer than the turn either, except in the redacted conversation itself).
_CLEAN_KEPT = 256
_CLEAN_LONGEST = 2000  # characters: questions and answers, not uploaded fields or long comments
_clean: dict[str, None] = {}
_clean_lock = threading.Lock()


def find_personal_data(text: str) -> list[tuple[int, int, str]]:
    """Spans (start, end, label) of personal data in the original text, without overlaps, in order."""
    if text in _clean:
        return []
    spans = _spans(text)
    if not spans and len(text) <= _CLEAN_LONGEST:
        with _clean_lock:
            if len(_clean) >= _CLEAN_KEPT:
                del _clean[next(iter(_clean))]
            _clean[text] = None
    return spans


def _spans(text: str) -> list[tuple[int, int, str]]:
    folded, origin = fold_for_matching(text)
    spans: list[tuple[int, int, str]] = []
    email, digits = _EMAIL_HINT.search(folded) is not None, _DIGIT.search(folded) is not None
    if not email and not digits:
        return spans
    taken = [False] * len(folded)
    for match in _KEEP.finditer(folded) if digits else ():
        taken[match.start():match.end()] = [True] * (match.end() - match.start())
    for label, pattern in _PATTERNS:
        if not (email if label == "EMAIL" else digits):
            continue
        for match in pattern.finditer(folded):
            start, end = match.span("v") if "v" in pattern.groupindex else match.span()
            if end == start or any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            spans.append((origin[start], origin[end - 1] + 1, label))
    return _absorb_invisible(text, sorted(spans))


def _absorb_invisible(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Invisible characters right after a match go with it: nothing hidden is left behind."""
    result = []
    for start, end, label in spans:
        while end < len(text) and text[end] in _INVISIBLE:
            end += 1
        result.append((start, end, label))
    return result


def redact(text: str) -> str:
    spans = find_personal_data(text)
    if not spans:
        return text
    parts, position = [], 0
    for start, end, label in spans:
        parts += [text[position:start], f"[{label}]"]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def contains_personal_data(text: str) -> bool:
    return bool(find_personal_data(text))
