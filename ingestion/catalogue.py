"""The catalogue: one JSON object per procedure and language (JSON Lines), in the shape docs/catalogue.md maps
from the national portal's public fields. A line becomes a procedure record and a Markdown body; each line is
checked on its own, so a bad line is named by its number and the others are imported."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.records import CATEGORIES, REQUIRED_SECTIONS, SLUG, Fee, FieldSource, HttpsUrl, ProcedureRecord
from ingestion.fields import read_fees
from ingestion.loaders import LoadError, SourceDocument

MAX_LINES = 20_000
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class DocumentGroup(BaseModel):
    """Required documents grouped under a heading, as the portal shows them (e.g. "الوثائق المطلوبة")."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    section: str = ""
    items: list[Text] = Field(min_length=1)


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Text
    url: HttpsUrl


class CatalogueLine(BaseModel):
    """One procedure in one language. Only id, lang and title are required; a key left out is not known."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    lang: Literal["fr", "ar", "en"]
    title: str = Field(min_length=3, max_length=300)
    description: Text | None = None
    category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]
    portal_path: list[Text] = Field(default_factory=list, max_length=5)  # category > sub-category > theme
    price: float | str | list[Fee] | None = None  # 75, "75 DH", "gratuit", or labelled amounts
    delay: Text | None = None
    average_delay: Text | None = None
    receiving_administration: Text | None = None
    delivering_administration: Text | None = None
    administration_in_charge: Text | None = None
    where: Text | None = None
    documents: list[Text] | list[DocumentGroup] | None = None
    conditions: list[Text] | None = None
    steps: list[Text] | None = None
    forms: list[Form] = Field(default_factory=list)
    website: HttpsUrl | None = None
    validity_days: int | None = Field(default=None, ge=0, le=36_500)
    related: list[str] = Field(default_factory=list)
    audience: list[Text] = Field(default_factory=list)
    aliases: list[Text] = Field(default_factory=list)
    legal_basis: list[Text] = Field(default_factory=list)
    notes: Text | None = None
    source_url: HttpsUrl | None = None
    updated: dt.date | None = None

    @field_validator("id")
    @classmethod
    def id_is_a_slug(cls, value: str) -> str:
        if not SLUG.match(value) or len(value) > 120:
            raise ValueError(f"id {value!r} is not a lowercase slug (letters, digits and hyphens)")
        return value

    @field_validator("price")
    @classmethod
    def price_is_not_negative(cls, value: object) -> object:
        if isinstance(value, int | float) and value < 0:
            raise ValueError("price must not be negative")
        return value


@dataclass(frozen=True)
class CatalogueEntry:
    """A valid line, stored as its canonical JSON: the same line always gives the same bytes, so a re-import
    recognises what did not change."""

    procedure_id: str
    language: str
    content: bytes


@dataclass
class CatalogueFile:
    entries: list[CatalogueEntry] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    blank_lines: int = 0


def parse_catalogue(data: bytes, source: str) -> CatalogueFile:
    """Every line checked on its own; a procedure and language given twice keeps the first and names the second."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return CatalogueFile(errors=[(data.count(b"\n", 0, exc.start) + 1, "not UTF-8 text")])
    result = CatalogueFile()
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            result.blank_lines += 1
            continue
        if number > MAX_LINES:
            result.errors.append((number, f"the file has more than {MAX_LINES} lines; split it"))
            break
        try:
            line = _parse_line(raw)
        except ValueError as exc:
            result.errors.append((number, str(exc)))
            continue
        identity = (line.id, line.lang)
        if identity in seen:
            result.errors.append((number, f"{line.id} ({line.lang}) is already on line {seen[identity]}"))
            continue
        seen[identity] = number
        canonical = {"source": source, "line": line.model_dump(mode="json", exclude_none=True, exclude_defaults=True)}
        result.entries.append(CatalogueEntry(line.id, line.lang, json.dumps(
            canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()))
    return result


def _parse_line(raw: str) -> CatalogueLine:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(value, dict):
        raise ValueError("a line must be one JSON object")
    try:
        return CatalogueLine.model_validate(value)
    except ValidationError as exc:
        raise ValueError("; ".join(_describe(e) for e in exc.errors()[:3])) from exc


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "line"
    if error["type"] == "missing":
        return f"missing key '{where}'"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{where}' (see docs/catalogue.md)"
    return f"'{where}': {error['msg']}"


# -- an entry as an indexed document ----------------------------------------------------------------------
def load_entry(data: bytes, key: str, digest: str) -> SourceDocument:
    """A stored catalogue entry (see parse_catalogue) as a source document with its record."""
    try:
        stored = json.loads(data)
        line = CatalogueLine.model_validate(stored["line"])
        source = str(stored["source"])
    except (ValueError, KeyError, TypeError) as exc:
        raise LoadError("not a catalogue entry written by `python -m ingestion import`") from exc
    record = record_from_line(line, source)
    return SourceDocument(
        key=key, content_hash=digest, procedure_id=line.id, language=line.lang, title=line.title,
        body=body_from_line(line), record=record,
        metadata={"category": line.category or "uncategorized", "administration": record.administration or "",
                  "source_url": str(line.source_url or "")},
    )


_VALIDITY = {"fr": "{n} jours", "ar": "{n} يوما", "en": "{n} days"}


def record_from_line(line: CatalogueLine, source: str) -> ProcedureRecord:
    """The portal's fields as record fields; each field names the portal field it came from."""
    origin = str(line.source_url) if line.source_url else source
    values: dict[str, tuple[Any, str]] = {  # record field -> (value, portal field)
        "title": (line.title, "title"),
        "category": (line.category, "category"),
        "administration": _first(line, "administration_in_charge", "delivering_administration",
                                 "receiving_administration"),
        "where": _first(line, "where", "receiving_administration"),
        "documents": (_documents(line), "documents"),
        "fees": (_fees(line), "price"),
        "delay": _first(line, "delay", "average_delay"),
        "validity": (_VALIDITY[line.lang].format(n=line.validity_days) if line.validity_days is not None else None,
                     "validity_days"),
        "online_service": ({"name": line.website.host or line.title, "url": str(line.website)} if line.website
                           else None, "website"),
        "audience": (line.audience, "audience"), "aliases": (line.aliases, "aliases"),
        "legal_basis": (line.legal_basis, "legal_basis"), "notes": (line.notes, "notes"),
        "source_url": (line.source_url, "source_url"), "last_reviewed": (line.updated, "updated"),
    }
    found = {name: value for name, (value, _) in values.items() if value not in (None, [], "")}
    sources = {name: FieldSource(source=origin, date=line.updated, via=f"catalogue field '{portal}'")
               for name, (value, portal) in values.items() if name in found}
    return ProcedureRecord.model_validate({"id": line.id, "lang": line.lang, **found, "field_sources": sources})


def _first(line: CatalogueLine, *names: str) -> tuple[str | None, str]:
    for name in names:
        value = getattr(line, name)
        if value:
            return value, name
    return None, names[0]


def _documents(line: CatalogueLine) -> list[str] | None:
    if not line.documents:
        return None
    if isinstance(line.documents[0], str):
        return [str(d) for d in line.documents]
    groups = [g for g in line.documents if isinstance(g, DocumentGroup)]
    # Several groups ("for a first request", "for a renewal") keep their heading on each item.
    prefix = len(groups) > 1
    return [f"{g.section}: {item}" if prefix and g.section else item for g in groups for item in g.items]


def _fees(line: CatalogueLine) -> list[Fee] | None:
    price = line.price
    if price is None:
        return None
    if isinstance(price, list):
        return price
    if isinstance(price, int | float):
        return [Fee(label=line.title, amount_mad=float(price))]
    return read_fees([price], line.title)


def body_from_line(line: CatalogueLine) -> str:
    """The line's texts under the corpus' headings, so passages answer what the fields do not."""
    heading = dict(zip(("description", "conditions", "steps", "documents", "fees", "delay", "where", "notes"),
                       REQUIRED_SECTIONS[line.lang], strict=True))
    record_documents = _documents(line) or []
    parts = [
        (heading["description"], line.description or ""),
        (heading["conditions"], _bullets(line.conditions)),
        (heading["steps"], _bullets(line.steps)),
        (heading["documents"], _bullets(record_documents)),
        (heading["fees"], _price_text(line)),
        (heading["delay"], "\n".join(x for x in (line.delay, line.average_delay) if x)),
        (heading["where"], "\n".join(x for x in (line.where, line.receiving_administration,
                                                  line.delivering_administration) if x)),
        (heading["notes"], "\n".join([line.notes or "", _bullets([f"{f.name}: {f.url}" for f in line.forms]),
                                      " > ".join(line.portal_path)]).strip()),
    ]
    body = "\n\n".join(f"## {title}\n{text}" for title, text in parts if text.strip())
    return body or f"## {heading['description']}\n{line.title}"


def _bullets(items: list[str] | None) -> str:
    return "\n".join(f"- {item}" for item in items or [])


def _price_text(line: CatalogueLine) -> str:
    if isinstance(line.price, list):
        return _bullets([f"{f.label}: {f.amount_mad:g} MAD" for f in line.price])
    if isinstance(line.price, int | float):
        return f"{line.price:g} MAD"
    return line.price or ""


def line_from_record(record: ProcedureRecord, body: str) -> dict[str, Any]:
    """A record as a catalogue line (how docs/catalogue-example.jsonl is made from our corpus)."""
    description = _section_text(body, REQUIRED_SECTIONS[record.lang][0])
    line: dict[str, Any] = {
        "id": record.id, "lang": record.lang, "title": record.title, "description": description or None,
        "category": record.category, "administration_in_charge": record.administration, "where": record.where,
        "documents": record.documents,
        "price": [f.model_dump() for f in record.fees] if record.fees else ("gratuit" if record.fees == [] else None),
        "delay": record.delay, "website": str(record.online_service.url) if record.online_service else None,
        "audience": record.audience, "aliases": record.aliases, "legal_basis": record.legal_basis,
        "notes": record.notes, "source_url": str(record.source_url) if record.source_url else None,
        "updated": record.last_reviewed.isoformat() if record.last_reviewed else None,
    }
    return {key: value for key, value in line.items() if value not in (None, [], "")}


def _section_text(body: str, heading: str) -> str:
    lines, inside = [], False
    for line in body.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == heading
        elif inside and line.strip():
            lines.append(line.strip())
    return " ".join(lines)[:5000]
