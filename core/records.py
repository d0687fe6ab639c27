"""The procedure record: the structured fields of a procedure, from a corpus file (see shared/corpus-spec.md),
an uploaded document or a catalogue line, with where each field came from."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

Language = Literal["fr", "ar", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "ar", "en")
CATEGORIES = (
    "identity-civil-status", "justice", "transport", "business", "social",
    "housing", "taxes", "education", "civic",
)
# The headings a reader expects in every record body, per language.
REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    "fr": ("Description", "Conditions", "Étapes", "Pièces à fournir", "Coût", "Délai", "Où s'adresser",
           "Bon à savoir"),
    "ar": ("الوصف", "الشروط", "المراحل", "الوثائق المطلوبة", "التكلفة", "الآجال", "الجهة المختصة", "معلومات مفيدة"),
    "en": ("Description", "Conditions", "Steps", "Documents", "Cost", "Processing time", "Where to apply",
           "Good to know"),
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


class Fee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1)
    amount_mad: float = Field(ge=0)

    @field_validator("amount_mad", mode="before")
    @classmethod
    def amount_is_a_number(cls, value: object) -> object:
        # YAML "20 DH" or "20" would otherwise be coerced or rejected with a vague message.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"amount_mad must be a number, got {value!r}")
        return value


def _require_https(value: HttpUrl) -> HttpUrl:
    if value.scheme != "https":
        raise ValueError("the URL must be https")
    return value


HttpsUrl = Annotated[HttpUrl, AfterValidator(_require_https)]


class OnlineService(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    url: HttpsUrl


FIELD_NAMES = ("category", "administration", "audience", "documents", "fees", "delay", "validity", "where",
               "online_service", "legal_basis", "aliases", "source_url", "last_reviewed", "notes")
# The fields that make a record "structured": what a citizen asks about. A record with none of them is text-only
# (answered from its passages).
ANSWER_FIELDS = ("documents", "fees", "delay", "where", "validity", "online_service")


class FieldSource(BaseModel):
    """Where one field of a record came from: a file or URL, when, and how it was read."""

    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1)  # "corpus/procedures/x/fr.md", "uploads/x/fr.pdf", a catalogue URL
    date: dt.date | None = None  # reviewed (corpus), updated (catalogue) or indexed (documents)
    via: str = ""  # "front-matter", "heading 'Coût'", "label 'Délai'", "catalogue field 'price'"


class ProcedureRecord(BaseModel):
    """One procedure in one language, from any source. Only the identity and title are certain; every other field
    is None (or an empty list for lists) when the source does not state it, so nothing is ever made up to fill it.
    Corpus Markdown files are held to the spec's complete shape by CorpusRecord."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    lang: Language
    title: str = Field(min_length=3)
    category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]
    administration: str | None = None
    audience: list[str] = Field(default_factory=list)
    documents: list[str] | None = None
    fees: list[Fee] | None = None  # None: not stated; []: stated without any fee (corpus records)
    delay: str | None = None
    validity: str | None = None
    where: str | None = None
    online_service: OnlineService | None = None
    legal_basis: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    source_url: HttpsUrl | None = None
    last_reviewed: dt.date | None = None
    notes: str | None = None
    field_sources: dict[str, FieldSource] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def id_is_a_slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"id {value!r} is not a lowercase slug")
        return value

    @field_validator("field_sources")
    @classmethod
    def sources_name_fields(cls, value: dict[str, FieldSource]) -> dict[str, FieldSource]:
        unknown = sorted(set(value) - set(FIELD_NAMES) - {"title"})
        if unknown:
            raise ValueError(f"field_sources names unknown fields {unknown}")
        return value

    @property
    def structured(self) -> bool:
        """Whether any field a citizen asks about was found; otherwise the record is text-only."""
        return any(getattr(self, name) not in (None, []) for name in ANSWER_FIELDS)

    @property
    def total_fee_mad(self) -> float:
        return sum(f.amount_mad for f in self.fees or [])


class CorpusRecord(ProcedureRecord):
    """The corpus spec's record: every front-matter key present and complete (shared/corpus-spec.md)."""

    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    administration: str = Field(min_length=2)
    audience: list[str] = Field(min_length=1)
    documents: list[str] = Field(min_length=1)
    fees: list[Fee]
    delay: str = Field(min_length=1)
    validity: str = Field(min_length=1)
    where: str = Field(min_length=2)
    online_service: OnlineService | None
    legal_basis: list[str]
    aliases: list[str] = Field(min_length=3)
    source_url: HttpsUrl
    last_reviewed: dt.date

    @model_validator(mode="after")
    def aliases_cover_darija(self) -> CorpusRecord:
        if not any(ARABIC_LETTER.search(a) for a in self.aliases):
            raise ValueError("aliases need at least one Darija alias in Arabic script")
        if not any(LATIN_LETTER.search(a) for a in self.aliases):
            raise ValueError("aliases need at least one alias in Latin letters (Arabizi)")
        return self


def missing_sections(lang: str, body: str) -> list[str]:
    headings = {h.strip() for h in re.findall(r"^##\s+(.+?)\s*$", body, re.MULTILINE)}
    return [s for s in REQUIRED_SECTIONS.get(lang, ()) if s not in headings]
