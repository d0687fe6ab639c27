"""What an admin upload may claim. The procedure id and language come from the file name
(`<id>.<fr|ar|en>.<ext>`) or from explicit form fields, never from the file's content: a Markdown front-matter that
names another procedure is refused, not followed. Names are never transliterated: a name that gives no valid id is
refused with the pattern it must follow, so two names can never silently become one id."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from core.records import LANGUAGES, SLUG
from ingestion.loaders import SUPPORTED_SUFFIXES, LoadError, SourceDocument, load_document

_SAFE_NAME = re.compile(r"^[\w][\w .()-]{0,199}$")
_NAME = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>fr|ar|en)\.(?P<ext>md|html|htm|pdf|docx)$")
EXPECTED_NAME = ("<id>.<fr|ar|en>.<md|html|htm|pdf|docx>, where <id> is lowercase ASCII letters, digits and single "
                 "dashes (e.g. cnie-renouvellement.fr.pdf); or give the form fields procedure_id and language")
STRUCTURED_SUFFIX = ".md"


class UploadError(ValueError):
    """An upload that cannot be accepted; the message says why. `status` is the HTTP status it maps to."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class UploadClaim:
    procedure_id: str
    language: str
    suffix: str

    @property
    def structured(self) -> bool:
        return self.suffix == STRUCTURED_SUFFIX


def claim_from(filename: str, procedure_id: str | None = None, language: str | None = None) -> UploadClaim:
    """The id and language an upload claims, from the form fields when given, else from its file name."""
    if not filename or "/" in filename or "\\" in filename or ".." in filename or not _SAFE_NAME.match(filename):
        raise UploadError("invalid_filename", "the file name must be a plain name such as cnie.fr.pdf, without a path")
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError("unsupported_type", f"unsupported file type {suffix or '(none)'}; "
                                              "upload .md, .html, .pdf or .docx")
    named = _NAME.match(filename.lower())
    procedure_id = procedure_id or (named.group("id") if named else None)
    language = language or (named.group("lang") if named else None)
    if procedure_id is None or language is None:
        raise UploadError("invalid_filename", f"{filename!r} does not give a procedure id and language; name it "
                                              f"{EXPECTED_NAME}")
    if not SLUG.match(procedure_id) or len(procedure_id) > 100:
        raise UploadError("invalid_procedure_id", f"procedure_id {procedure_id!r} is not valid: use lowercase ASCII "
                                                  "letters, digits and single dashes, e.g. cnie-renouvellement")
    if language not in LANGUAGES:
        raise UploadError("invalid_language", f"language {language!r} is not served; use one of fr, ar, en")
    return UploadClaim(procedure_id, language, suffix)


def parse_upload(filename: str, data: bytes, max_bytes: int, claim: UploadClaim) -> SourceDocument:
    """The uploaded file as a source document under the identity it claims, or UploadError naming the problem."""
    if len(data) > max_bytes:
        raise UploadError("too_large", f"the file is {len(data)} bytes, over the limit of {max_bytes}", 413)
    # Loaded under the claimed name, so the loaders can only ever derive the claimed identity.
    path = Path("upload") / f"{claim.procedure_id}.{claim.language}{claim.suffix}"
    try:
        doc = load_document(path, f"upload/{filename}", max_bytes, data=data)
    except LoadError as exc:
        raise UploadError("invalid_document", f"{filename}: {exc}") from exc
    if doc.procedure_id != claim.procedure_id:
        raise UploadError("identity_mismatch", f"{filename}: the front-matter id {doc.procedure_id!r} disagrees "
                                               f"with the id {claim.procedure_id!r} given by the file name or form")
    if doc.language != claim.language:
        raise UploadError("identity_mismatch", f"{filename}: the front-matter lang {doc.language!r} disagrees "
                                               f"with the language {claim.language!r} given by the file name or form")
    return doc


def document_fields(doc: SourceDocument) -> dict[str, str]:
    """Every text an answer could quote from the document, by field name (front-matter keys, then the body)."""
    fields = {"title": doc.title}
    if doc.record is not None:
        for key, value in doc.record.model_dump(mode="json").items():
            if isinstance(value, list):
                value = "\n".join(str(v.get("label", "")) if isinstance(v, dict) else str(v) for v in value)
            elif isinstance(value, dict):
                value = "\n".join(str(v) for v in value.values())
            fields[key] = "" if value is None else str(value)
    fields["body"] = doc.body
    return fields
