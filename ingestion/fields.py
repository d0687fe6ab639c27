"""Structured fields read from a document's text: sections found by their heading or label in fr, ar or en
(a Markdown heading, a bold line, a short line of its own, or "Label : value"), amounts in DH, MAD or درهم, and
the words that say a procedure is free. A field the text does not state stays None: nothing is guessed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from core.records import REQUIRED_SECTIONS, Fee, FieldSource

# Section -> the headings and labels that announce it, in the three languages (matched after folding).
LABELS: dict[str, tuple[str, ...]] = {
    "description": ("description", "présentation", "presentation", "objet", "الوصف", "تقديم", "about",
                    "overview"),
    "conditions": ("conditions", "conditions d'accès", "bénéficiaires", "الشروط", "شروط", "المستفيدون",
                   "eligibility", "who can apply"),
    "steps": ("étapes", "démarches", "procédure", "déroulement", "المراحل", "الخطوات", "المسطرة", "steps",
              "how to apply"),
    "documents": ("pièces à fournir", "pièces requises", "pièces exigées", "dossier à fournir", "documents à fournir",
                  "documents requis", "constitution du dossier", "الوثائق المطلوبة", "الوثائق اللازمة",
                  "المستندات المطلوبة", "الملف المطلوب", "الوثائق", "required documents", "documents required",
                  "documents"),
    "fees": ("coût", "frais", "tarif", "tarifs", "prix", "droits à payer", "montant", "التكلفة", "الرسوم", "الكلفة",
             "التعريفة", "الثمن", "cost", "costs", "fees", "fee", "price"),
    "delay": ("délai", "délais", "délai de traitement", "délai de délivrance", "الآجال", "الأجل", "الآجل", "المدة",
              "مدة المعالجة", "مدة الإنجاز", "processing time", "delay", "time frame"),
    "where": ("où s'adresser", "où déposer", "lieu de dépôt", "service compétent", "الجهة المختصة",
              "مكان الإيداع", "الإدارة المختصة", "where to apply", "where"),
    "validity": ("validité", "durée de validité", "مدة الصلاحية", "الصلاحية", "validity", "valid for"),
    "notes": ("bon à savoir", "à savoir", "remarques", "معلومات مفيدة", "ملاحظات", "good to know", "notes"),
}
# The canonical heading of each section per language: the one the corpus uses and the composer looks for.
_CANONICAL = dict(zip(("description", "conditions", "steps", "documents", "fees", "delay", "where", "notes"),
                      range(8), strict=True))
_EXTRA_HEADINGS = {"validity": {"fr": "Validité", "ar": "مدة الصلاحية", "en": "Validity"}}
FREE_WORDS = ("gratuit", "gratuite", "gratuitement", "sans frais", "بالمجان", "مجاني", "مجانية", "مجانا", "مجانًا",
              "free", "free of charge", "no fee")
# An amount with its currency on either side: "75 DH", "1 500,00 MAD", "درهم 200", "200 درهما".
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY = r"(?:dhs?|mad|dirhams?|درهما|دراهم|درهم)"
_AMOUNT = re.compile(rf"(?<![\w.,])(?:({_NUMBER})\s*{_CURRENCY}(?!\w)|{_CURRENCY}\s*({_NUMBER}))", re.IGNORECASE)
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # diacritics and tatweel
_BULLET = re.compile(r"^\s*(?:[-*•·–—▪◦]|\d{1,2}[.)-]|[a-z][.)])\s+")
MAX_LABEL_LINE = 60  # a longer line is a sentence, not a label


def fold(text: str) -> str:
    """Case, accents, Arabic diacritics and hamza forms folded, punctuation trimmed: how labels are compared."""
    text = _ARABIC_MARKS.sub("", text.casefold()).replace("’", "'")
    text = text.translate(str.maketrans("أإآٱ", "اااا"))
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip(" \t:：-–—*#.")


_FOLDED_LABELS = [(fold(label), section) for section, labels in LABELS.items() for label in labels]
_FOLDED_LABELS.sort(key=lambda pair: -len(pair[0]))  # the longest label wins: "documents requis" before "documents"


def section_of(heading: str) -> str | None:
    """The section a heading or label announces, or None."""
    folded = fold(heading)
    for label, section in _FOLDED_LABELS:
        if folded == label or (folded.startswith(label + " ") and len(folded) <= 40):
            return section
    return None


@dataclass
class Section:
    heading: str  # as written in the document
    kind: str | None  # a key of LABELS, or None for a heading we do not know
    lines: list[str] = field(default_factory=list)


def split_sections(body: str) -> list[Section]:
    """The body cut at every heading or label line; text before the first one is an untitled section."""
    sections = [Section("", None)]
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        heading, rest = _heading_of(line)
        kind = section_of(heading) if heading is not None else None
        # "Frais de timbre : 75 DH" under "Coût" is an item of that section, not a new one.
        if heading is None or (kind is not None and kind == sections[-1].kind and not line.startswith("#")):
            sections[-1].lines.append(line)
            continue
        sections.append(Section(heading, kind))
        if rest:
            sections[-1].lines.append(rest)
    return [s for s in sections if s.heading or s.lines]


def _heading_of(line: str) -> tuple[str | None, str]:
    """(heading, text after it on the same line) when the line opens a section, else (None, '')."""
    markdown = re.match(r"^#{1,6}\s+(.+?)\s*#*$", line)
    if markdown:
        return markdown.group(1).strip("* "), ""
    bold = re.match(r"^\*\*(.+?)\*\*\s*:?\s*(.*)$", line)
    if bold and section_of(bold.group(1)):
        return bold.group(1).strip(), bold.group(2).strip()
    labelled = re.match(r"^([^:：]{2,40})\s*[:：]\s*(.+)$", line)
    if labelled and section_of(labelled.group(1)):
        return labelled.group(1).strip(), labelled.group(2).strip()
    if len(line) <= MAX_LABEL_LINE and section_of(line):
        return line.rstrip(" :："), ""
    return None, ""


@dataclass
class ExtractedFields:
    values: dict[str, object]  # record field -> value, only the fields found
    sources: dict[str, FieldSource]
    body: str  # Markdown with every section under a "## " heading, recognised ones under their canonical name


def extract_fields(body: str, language: str, source: str, date: dt.date) -> ExtractedFields:
    """The fields a document states, each with its provenance, and its body with normalised headings."""
    sections = split_sections(body)
    values: dict[str, object] = {}
    sources: dict[str, FieldSource] = {}
    for section in sections:
        name = _FIELD_OF_SECTION.get(section.kind or "")
        if name is None or name in values:
            continue  # the first section of a kind holds the answer; later ones stay passages
        value = _READERS[name](section)
        if value not in (None, "", []):
            values[name] = value
            sources[name] = FieldSource(source=source, date=date, via=f"section '{section.heading}'")
    return ExtractedFields(values, sources, _normalised_body(sections, language))


def read_fees(lines: list[str], label: str) -> list[Fee] | None:
    """Every amount in the lines, labelled by the text around it; a 'free' word alone means no fee."""
    fees: list[Fee] = []
    for line in lines:
        text = _BULLET.sub("", line).strip()
        for match in _AMOUNT.finditer(text):
            amount = parse_amount(match.group(1) or match.group(2))
            if amount is None:
                continue
            around = _AMOUNT.sub("", text).strip(" :：-–—,;.()")
            fees.append(Fee(label=(around or label)[:200], amount_mad=amount))
    if fees:
        return fees
    if any(_says_free(line) for line in lines):
        return [Fee(label=label or "-", amount_mad=0)]
    return None


def parse_amount(number: str) -> float | None:
    """'1 500,00' -> 1500.0; '1.500' -> 1500.0; '75.5' -> 75.5."""
    digits = re.sub(r"[ \u00a0\u202f]", "", number)
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in digits or "." in digits:
        sep = "," if "," in digits else "."
        head, _, tail = digits.rpartition(sep)
        digits = head.replace(sep, "") + ("." + tail if len(tail) <= 2 else tail)
    try:
        return float(digits)
    except ValueError:
        return None


def _says_free(line: str) -> bool:
    folded = f" {fold(line)} "
    return any(f" {fold(word)} " in folded or folded.strip() == fold(word) for word in FREE_WORDS)


def _items(section: Section) -> list[str] | None:
    bulleted = [_BULLET.sub("", line).strip() for line in section.lines if _BULLET.match(line)]
    items = bulleted or [line for line in section.lines if len(line) > 2]
    return [i[:300] for i in items if i] or None


def _text(section: Section) -> str | None:
    flat = " ".join(_BULLET.sub("", line).strip() for line in section.lines)
    return flat[:500].strip() or None


_READERS = {
    "documents": _items,
    "fees": lambda s: read_fees(s.lines, s.heading),
    "delay": _text, "where": _text, "validity": _text, "notes": _text,
}
_FIELD_OF_SECTION = {kind: kind for kind in _READERS}


def _normalised_body(sections: list[Section], language: str) -> str:
    parts = []
    for section in sections:
        heading = _canonical_heading(section, language)
        text = "\n".join(section.lines)
        parts.append(f"## {heading}\n{text}".rstrip() if heading else text)
    return "\n\n".join(parts).strip()


def _canonical_heading(section: Section, language: str) -> str:
    if section.kind in _CANONICAL and language in REQUIRED_SECTIONS:
        return REQUIRED_SECTIONS[language][_CANONICAL[section.kind]]
    if section.kind in _EXTRA_HEADINGS:
        return _EXTRA_HEADINGS[section.kind].get(language, section.heading)
    return section.heading.lstrip("#").strip()
