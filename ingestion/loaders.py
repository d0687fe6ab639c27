"""Loaders for the formats admins upload: Markdown with front-matter (house format), HTML, PDF and DOCX.

Each loader returns a SourceDocument (metadata plus Markdown text with `##` sections) or raises LoadError with
a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.langid import classify
from core.records import FIELD_NAMES, LANGUAGES, SLUG, CorpusRecord, FieldSource, ProcedureRecord, missing_sections
from ingestion.fields import extract_fields

SUPPORTED_SUFFIXES = (".md", ".html", ".htm", ".pdf", ".docx")
# What the indexer reads: the upload types, and one catalogue entry per file as the import stores it.
INDEXED_SUFFIXES = (*SUPPORTED_SUFFIXES, ".json")
# A DOCX is a zip: refuse archives that inflate past this before a parser expands them in memory.
MAX_DOCX_INFLATED_BYTES = 50_000_000
MAX_PDF_PAGES = 300


class LoadError(Exception):
    """A source that cannot be indexed; the message says why, in words an admin can act on."""


@dataclass(frozen=True)
class SourceDocument:
    key: str  # stable identity of the source, e.g. "corpus/procedures/cnie-renouvellement/fr.md"
    content_hash: str
    procedure_id: str
    language: str
    title: str
    body: str  # Markdown, sections as "## Heading"
    metadata: dict[str, Any]  # category, administration, source_url for every chunk
    record: ProcedureRecord | None = None  # every loaded document has one; possibly text-only (no fields found)


@dataclass(frozen=True)
class Origin:
    """Where a stored file was fetched from by the source sync, and on which day: the provenance of its fields."""

    url: str
    fetched: dt.date


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, key: str, max_bytes: int, data: bytes | None = None,
                  today: dt.date | None = None, origin: Origin | None = None) -> SourceDocument:
    """Read one file and turn it into a SourceDocument, or raise LoadError. A fetched page (`origin`) names its URL
    and fetch day as the source of its fields, and its URL as the page a citation links to."""
    suffix = path.suffix.lower()
    if suffix not in INDEXED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    if data is None:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"file is {size} bytes, over the limit of {max_bytes}")
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise LoadError(f"file is {len(data)} bytes, over the limit of {max_bytes}")
    if not data.strip():
        raise LoadError("empty file")
    digest = content_hash(data)
    if suffix == ".md":
        return _load_markdown(path, key, digest, data, origin)
    if suffix == ".json":
        from ingestion.catalogue import load_entry  # the catalogue builds on this module

        return load_entry(data, key, digest)
    if suffix in (".html", ".htm"):
        title, body = _html_text(data)
    elif suffix == ".pdf":
        title, body = _pdf_text(data)
    else:
        title, body = _docx_text(data)
    procedure_id, language = _identity_from_path(path, body)
    return document_from_text(key, digest, procedure_id, language, title or procedure_id.replace("-", " ").capitalize(),
                              body, origin.fetched if origin else today or dt.date.today(), origin)


def document_from_text(key: str, digest: str, procedure_id: str, language: str, title: str, body: str,
                       today: dt.date, origin: Origin | None = None) -> SourceDocument:
    """A document's record holds the fields its sections state (none at all makes it text-only), each with the
    document (or the page it was fetched from) as its source and the day it was read."""
    if language not in LANGUAGES:
        raise LoadError(f"language {language!r} is not served; name the file <id>.<fr|ar|en>{Path(key).suffix}")
    source = origin.url if origin else key
    fields = extract_fields(body, language, source, today)
    page_url = {"source_url": origin.url} if origin and origin.url.startswith("https://") else {}
    try:
        record = ProcedureRecord.model_validate({
            "id": procedure_id, "lang": language, "title": title[:300], **fields.values, **page_url,
            "field_sources": {"title": FieldSource(source=source, date=today, via="document title"), **fields.sources,
                              **{name: FieldSource(source=source, date=today, via="fetched page") for name in page_url}},
        })
    except ValidationError as exc:
        raise LoadError("; ".join(_describe(e) for e in exc.errors()[:5])) from exc
    return SourceDocument(
        key=key, content_hash=digest, procedure_id=procedure_id, language=language, title=record.title,
        body=fields.body or body, record=record,
        metadata={"category": "uncategorized", "administration": "", "source_url": origin.url if origin else ""},
    )


# -- Markdown with front-matter -------------------------------------------------------------------------
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?(.*)\Z", re.DOTALL)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (invalid byte at offset {exc.start})") from exc


def parse_record(text: str) -> tuple[CorpusRecord, str]:
    """Split and validate a house-format record against the corpus spec's complete shape; LoadError names the first
    problem."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise LoadError("no YAML front-matter (the file must start with a line '---')")
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise LoadError(f"invalid YAML front-matter{where}: {getattr(exc, 'problem', None) or 'syntax error'}") from exc
    if not isinstance(front, dict):
        raise LoadError("front-matter is not a mapping of keys to values")
    try:
        record = CorpusRecord.model_validate(front)
    except ValidationError as exc:
        raise LoadError("front-matter: " + "; ".join(_describe(e) for e in exc.errors()[:5])) from exc
    return record, match.group(2)


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "record"
    if error["type"] == "missing":
        return f"missing key '{where}'"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{where}'"
    return f"'{where}': {error['msg']}"


def _load_markdown(path: Path, key: str, digest: str, data: bytes, origin: Origin | None = None) -> SourceDocument:
    record, body = parse_record(_decode(data))
    folder_id, file_lang = path.parent.name, path.stem
    if file_lang in LANGUAGES and record.lang != file_lang:
        raise LoadError(f"lang '{record.lang}' disagrees with the file name '{path.name}'")
    if file_lang in LANGUAGES and SLUG.match(folder_id) and record.id != folder_id:
        raise LoadError(f"id '{record.id}' disagrees with its folder '{folder_id}'")
    missing = missing_sections(record.lang, body)
    if missing:
        raise LoadError("missing sections: " + ", ".join(f"'## {m}'" for m in missing))
    # Every field of a corpus file was read from its front-matter, as reviewed on its review date.
    provenance = FieldSource(source=origin.url if origin else key, date=record.last_reviewed, via="front-matter")
    record.field_sources = {name: provenance for name in ("title", *record.model_fields_set)
                            if name in FIELD_NAMES or name == "title"} | record.field_sources
    return SourceDocument(
        key=key, content_hash=digest, procedure_id=record.id, language=record.lang, title=record.title,
        body=body, record=record,
        metadata={"category": record.category, "administration": record.administration,
                  "source_url": str(record.source_url)},
    )


# -- HTML, PDF, DOCX ------------------------------------------------------------------------------------
def _html_text(data: bytes) -> tuple[str, str]:
    import trafilatura

    html = _decode(data)
    # trafilatura keeps the main content and drops navigation, headers and footers.
    body = trafilatura.extract(html, output_format="markdown", include_formatting=True, include_tables=True,
                               favor_recall=True)
    if not body or not body.strip():
        raise LoadError("no main text found in the HTML page")
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata and metadata.title else "") or _first_heading(body)
    return title.split(" | ")[0].strip(), _demote_title(body)


def _pdf_text(data: bytes) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("encrypted PDF: remove the password and upload it again")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise LoadError(f"PDF has {len(reader.pages)} pages, over the limit of {MAX_PDF_PAGES}")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
        raise LoadError(f"not a readable PDF ({type(exc).__name__})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise LoadError("PDF has no extractable text (a scanned image needs OCR first)")
    if title.strip().lower() in ("untitled", "anonymous"):  # PDF makers' placeholders, not titles
        title = ""
    return title or text.splitlines()[0][:120], text


def _docx_text(data: bytes) -> tuple[str, str]:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise LoadError("not a readable DOCX (it is not a zip archive)") from exc
    if inflated > MAX_DOCX_INFLATED_BYTES:
        raise LoadError(f"DOCX inflates to {inflated} bytes, over the limit of {MAX_DOCX_INFLATED_BYTES}")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise LoadError(f"not a readable DOCX ({type(exc).__name__})") from exc
    lines, title = [], document.core_properties.title or ""
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style == "Title" or (style == "Heading 1" and not title):
            title = title or text
        elif style.startswith("Heading"):
            lines.append(f"## {text}")
        else:
            lines.append(text)
    body = "\n\n".join(lines)
    if not body.strip():
        raise LoadError("DOCX has no text")
    return title, body


def _first_heading(body: str) -> str:
    match = re.search(r"^#+\s+(.+)$", body, re.MULTILINE)
    return match.group(1).strip() if match else ""


def _demote_title(body: str) -> str:
    """The page's single '#' title is metadata, not a section."""
    return re.sub(r"^#\s+.+\n?", "", body, count=1, flags=re.MULTILINE).strip()


_PATH_IDENTITY = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)[._](?P<lang>fr|ar|en)$")


def _identity_from_path(path: Path, body: str) -> tuple[str, str]:
    """`<id>/<lang>.<ext>` (house layout) or `<id>.<lang>.<ext>`; the language is detected when not named."""
    if path.stem in LANGUAGES and SLUG.match(path.parent.name):
        return path.parent.name, path.stem
    match = _PATH_IDENTITY.match(path.stem.lower())
    if match:
        return match.group("id"), match.group("lang")
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if not slug:
        raise LoadError("cannot derive a procedure id from the file name; name it <id>.<lang>" + path.suffix)
    return slug, guess_language(body)


def guess_language(text: str) -> str:
    if len(re.findall(r"[\u0600-\u06FF]", text)) > len(text) * 0.2:
        return "ar"
    return classify(text)[0]
