"""Output checks for both modes: citations refer to real sources, no foreign contact details, no invented
amounts or delays."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from assistant.text import fold

# Official domains an answer may link to even when no cited record names them.
OFFICIAL_DOMAINS = (
    "gov.ma", "idarati.ma", "cnie.ma", "passeport.ma", "watiqa.ma", "chikaya.ma", "cnss.ma", "ompic.ma",
    "directentreprise.ma", "narsa.ma", "tax.gov.ma", "ae.gov.ma", "minhaty.ma", "rsu.ma", "consulat.ma",
    "rokhas.ma", "massarservice.men.gov.ma", "listeselectorales.ma", "ancfcc.gov.ma", "one.org.ma",
)
MARKER = re.compile(r"\[(\d{1,2})\]")
URL = re.compile(r"https?://[^\s)\]>\"']+|(?<![@\w.])(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:ma|com|org|net|info|io)\b[^\s)\]]*",
                 re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:\+?\d[\d .-]{6,}\d)")
AMOUNT = re.compile(r"(\d[\d\s.,]*)\s*(?:mad|dh|dhs|dirhams?|درهم|دراهم)\b", re.IGNORECASE)
DELAY = re.compile(
    r"(\d+)\s*(?:jours?|days?|semaines?|weeks?|mois|months?|heures?|hours?|يوما|يوم|أيام|ايام|أسابيع|أشهر|شهر|ساعة)",
    re.IGNORECASE)


@dataclass
class CheckResult:
    text: str
    masked: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # amounts or delays that no cited record states
    bad_markers: list[int] = field(default_factory=list)

    @property
    def must_fall_back(self) -> bool:
        return bool(self.unsupported or self.bad_markers)


def check_answer(answer: str, sources: list[str], citation_count: int) -> CheckResult:
    """`sources` are the full texts of the cited records (front-matter and body)."""
    source_text = "\n".join(sources)
    folded_sources = fold(source_text)
    result = CheckResult(answer)
    result.bad_markers = sorted({int(n) for n in MARKER.findall(answer) if not 1 <= int(n) <= citation_count})
    result.text = _mask(result, result.text, EMAIL, lambda m: m.lower() in source_text.lower())
    result.text = _mask(result, result.text, URL, lambda m: _url_allowed(m, source_text))
    result.text = _mask(result, result.text, PHONE, lambda m: _digits(m) in _digits_runs(source_text)
                        or _digits(m) in {"3737"})
    numbers_in_sources = {_number(n) for n in re.findall(r"\d[\d\s.,]*", folded_sources)}
    for match in list(AMOUNT.finditer(result.text)) + list(DELAY.finditer(result.text)):
        if _number(match.group(1)) not in numbers_in_sources:
            result.unsupported.append(match.group(0).strip())
    return result


def _mask(result: CheckResult, text: str, pattern: re.Pattern[str], allowed: object) -> str:
    def replace(match: re.Match[str]) -> str:
        value = match.group(0)
        if allowed(value):  # type: ignore[operator]
            return value
        result.masked.append(value)
        return "[…]"

    return pattern.sub(replace, text)


def _url_allowed(url: str, source_text: str) -> bool:
    host = urlparse(url if "://" in url else f"https://{url}").hostname or ""
    host = host.lower().removeprefix("www.")
    if any(host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS):
        return True
    return bool(host) and host in source_text.lower()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _digits_runs(text: str) -> set[str]:
    return {_digits(m) for m in re.findall(r"\+?\d[\d .-]{3,}\d", text)}


def _number(text: str) -> str:
    digits = re.sub(r"[\s,]", "", text).rstrip(".")
    return digits.split(".")[0].lstrip("0") or "0"
