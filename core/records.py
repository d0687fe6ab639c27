"""The procedure record: the structured front-matter of a corpus file (see shared/corpus-spec.md)."""

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


class ProcedureRecord(BaseModel):
    """One procedure in one language; every key of the spec's front-matter."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    lang: Language
    title: str = Field(min_length=3)
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
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def id_is_a_slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"id {value!r} is not a lowercase slug")
        return value

    @model_validator(mode="after")
    def aliases_cover_darija(self) -> ProcedureRecord:
        if not any(ARABIC_LETTER.search(a) for a in self.aliases):
            raise ValueError("aliases need at least one Darija alias in Arabic script")
        if not any(LATIN_LETTER.search(a) for a in self.aliases):
            raise ValueError("aliases need at least one alias in Latin letters (Arabizi)")
        return self

    @property
    def total_fee_mad(self) -> float:
        return sum(f.amount_mad for f in self.fees)


def missing_sections(lang: str, body: str) -> list[str]:
    headings = {h.strip() for h in re.findall(r"^##\s+(.+?)\s*$", body, re.MULTILINE)}
    return [s for s in REQUIRED_SECTIONS.get(lang, ()) if s not in headings]
