"""Output checks for both modes: citations refer to real sources, no foreign contact details, no invented
amounts or delays."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlparse

from assistant.catalog import StoredRecord
from assistant.redact import find_personal_data
from assistant.screen import find_instruction
from assistant.text import fold

# Official domains an answer may link to even when no cited record names them (a host or any of its subdomains).
OFFICIAL_DOMAINS = (
    "gov.ma", "idarati.ma", "cnie.ma", "passeport.ma", "watiqa.ma", "chikaya.ma", "cnss.ma", "ompic.ma",
    "directentreprise.ma", "narsa.ma", "tax.gov.ma", "ae.gov.ma", "minhaty.ma", "rsu.ma", "consulat.ma",
    "rokhas.ma", "massarservice.men.gov.ma", "listeselectorales.ma", "ancfcc.gov.ma", "one.org.ma",
    "macnss.ma", "damancom.ma", "asd.ma", "chafafiya.ma", "vignette.ma", "rnp.ma",
)
# Phone numbers an answer may give: the national call centre of the canned messages ("37 37").
OFFICIAL_PHONES = ("3737",)
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


# -- any final answer, extractive ones included -------------------------------------------------------------------
@dataclass(frozen=True)
class OfficialContacts:
    """Where an answer may send a person: official domains (settings add to the built-in list) and numbers."""

    domains: tuple[str, ...] = OFFICIAL_DOMAINS
    phones: tuple[str, ...] = OFFICIAL_PHONES

    def host_allowed(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return bool(host) and any(host == d or host.endswith("." + d) for d in self.domains)

    def phone_allowed(self, number: str) -> bool:
        return _digits(number) in {_digits(p) for p in self.phones}


# Kept per record text: folding a whole record for its figures on every answer was a tenth of a turn's own time.
@lru_cache(maxsize=512)
def _stated_numbers(text: str) -> frozenset[str]:
    return frozenset(_number(n) for n in re.findall(r"\d[\d\s.,]*", fold(text)))


def check_final_answer(answer: str, cited: list[StoredRecord], official: OfficialContacts) -> CheckResult:
    """The answer as it may go out: links only to the cited records' own sites or an official domain, phone
    numbers only official ones, amounts only the cited records' fees; everything else is masked. A record's free
    text is no evidence for links or numbers (an upload could carry an injection)."""
    records = [c.record for c in cited]
    hosts = {_url_host(str(url)) for r in records
             for url in (r.source_url, r.online_service.url if r.online_service else None) if url}
    # Amounts: a fee, or a figure the record states (an income ceiling, a capital); never one from elsewhere.
    fees = {_number(f"{fee.amount_mad:.2f}") for r in records for fee in r.fees or []}
    for c in cited:
        fees |= _stated_numbers(c.full_text)
    result = CheckResult(answer)
    result.text = _mask(result, result.text, URL, lambda m: _url_host(m) in hosts or official.host_allowed(_url_host(m)))
    result.text = _mask(result, result.text, EMAIL, lambda m: official.host_allowed(_url_host(m.rsplit("@", 1)[-1])))
    result.text = _mask_phones(result, result.text, official)
    result.text = _mask(result, result.text, AMOUNT, lambda m: _number(AMOUNT.match(m).group(1)) in fees)  # type: ignore[union-attr]
    return result


def untrusted_content(fields: dict[str, str], official: OfficialContacts) -> list[str]:
    """Why an uploaded record cannot be served: a field that carries an instruction to the assistant, a link
    outside the official domains or a phone number that is not an official one. Empty when it can."""
    problems = []
    for name, value in fields.items():
        instruction = find_instruction(value)
        if instruction:
            problems.append(f"field '{name}' carries an instruction to the assistant")
        for url in URL.findall(value):
            if not official.host_allowed(_url_host(url)):
                problems.append(f"field '{name}' links to {_url_host(url) or url!r}, which is not an official domain")
        for start, end, label in find_personal_data(value):
            if label == "PHONE" and not official.phone_allowed(value[start:end]):
                problems.append(f"field '{name}' gives the phone number {value[start:end].strip()!r}, "
                                "which is not an official one")
            elif label == "EMAIL" and not official.host_allowed(_url_host(value[start:end].rsplit("@", 1)[-1])):
                problems.append(f"field '{name}' gives an e-mail address outside the official domains")
    return problems


def _mask_phones(result: CheckResult, text: str, official: OfficialContacts) -> str:
    for start, end, label in reversed(find_personal_data(text)):
        if label == "PHONE" and not official.phone_allowed(text[start:end]):
            result.masked.append(text[start:end])
            text = text[:start] + "[…]" + text[end:]
    return text


def _url_host(url: str) -> str:
    url = url.rstrip(".,;:!?،؛)")  # sentence punctuation after a bare domain is not part of it
    return (urlparse(url if "://" in url else f"https://{url}").hostname or "").lower().removeprefix("www.")
