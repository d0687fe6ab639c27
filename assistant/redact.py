"""Personal data that must not leave the process or reach storage and logs: CIN, phone, e-mail, RIB, CNSS."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # RIB: 24 digits, often grouped by spaces.
    ("RIB", re.compile(r"(?<!\d)(?:\d[ -]?){23}\d(?!\d)")),
    # Moroccan phone numbers: +212 / 00212 / 0 followed by 5, 6, 7 or 8 and eight digits.
    ("PHONE", re.compile(r"(?<![\w+])(?:\+212|00212|0)[ .-]?[5-8](?:[ .-]?\d){8}(?!\d)")),
    ("CNSS", re.compile(r"(?i)(?:cnss|ضمان)\D{0,20}\d{8,10}(?!\d)")),
    # CIN: one or two letters then up to six digits (e.g. AB123456, J123456).
    ("CIN", re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\s?\d{4,6}(?![0-9])")),
]


def redact(text: str) -> str:
    for label, pattern in _PATTERNS:
        text = pattern.sub(f"[{label}]", text)
    return text
