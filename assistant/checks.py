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
SENTENCE = re.compile(r"(?<=[.!?؟\n])\s+")
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


def check_answer(answer: str, sources: list[str], citation_count: int,
                 fees_by_marker: dict[int, set[float]] | None = None, record_hosts: set[str] | None = None) -> CheckResult:
    """`sources` are the full texts of the cited records (front-matter and body). When the records' structured
    fields are given, an amount must be a fee of a record its sentence cites (any cited record when it cites none)
    and links must go to the records' own sites or an official domain: a record's free text (an uploaded page could
    carry an injection) is no evidence for either."""
    source_text = "\n".join(sources)
    folded_sources = fold(source_text)
    result = CheckResult(answer)
    result.bad_markers = sorted({int(n) for n in MARKER.findall(answer) if not 1 <= int(n) <= citation_count})
    result.text = _mask(result, result.text, EMAIL, lambda m: m.lower() in source_text.lower())
    link_evidence = " ".join(record_hosts) if record_hosts is not None else source_text
    result.text = _mask(result, result.text, URL, lambda m: _url_allowed(m, link_evidence))
    result.text = _mask(result, result.text, PHONE, lambda m: _digits(m) in _digits_runs(source_text)
                        or _digits(m) in {"3737"})
    numbers_in_sources = {_number(n) for n in re.findall(r"\d[\d\s.,]*", folded_sources)}
    for match in DELAY.finditer(result.text):
        if _number(match.group(1)) not in numbers_in_sources:
            result.unsupported.append(match.group(0).strip())
    for sentence in SENTENCE.split(result.text):
        supported = numbers_in_sources if fees_by_marker is None else _fees_cited(sentence, fees_by_marker)
        result.unsupported += [m.group(0).strip() for m in AMOUNT.finditer(sentence) if _number(m.group(1)) not in supported]
    return result


def _fees_cited(sentence: str, fees_by_marker: dict[int, set[float]]) -> set[str]:
    cited = {int(n) for n in MARKER.findall(sentence)} or set(fees_by_marker)
    return {_number(f"{amount:.2f}") for n in cited for amount in fees_by_marker.get(n, set())}


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
