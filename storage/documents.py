"""Uploaded documents, catalogue entries and removed corpus procedures. The database holds the uploaded bytes, so
any replica can write them out and index them; `deleted` rows hide a corpus procedure from the index. A catalogue
entry is an upload whose file name is `catalogue/<source>/<id>.<lang>.json`: one per procedure and language, like
any upload, so an import and a document upload for the same procedure replace each other (the latest wins)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, tuple_

from storage.database import Database
from storage.models import Document, utcnow


@dataclass(frozen=True)
class Upload:
    procedure_id: str
    language: str
    filename: str
    content: bytes
    origin_url: str | None = None  # a page the source sync fetched: its URL and when this version was fetched
    fetched_at: datetime | None = None


class DocumentStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save_upload(self, procedure_id: str, language: str, filename: str, content: bytes,
                    origin_url: str | None = None, fetched_at: datetime | None = None) -> None:
        """Replace the upload for this procedure and language, and bring the procedure back if it was removed."""
        with self._db.session() as session:
            session.execute(delete(Document).where(
                Document.procedure_id == procedure_id,
                (Document.language == language) | Document.deleted.is_(True)))
            session.add(Document(id=secrets.token_hex(8), procedure_id=procedure_id, language=language,
                                 filename=filename, content=content, sha256=hashlib.sha256(content).hexdigest(),
                                 deleted=False, created_at=utcnow(), origin_url=origin_url, fetched_at=fetched_at))

    def remove_upload(self, procedure_id: str, language: str) -> None:
        """Drop the upload of one procedure and language (a replacement that could not be indexed)."""
        with self._db.session() as session:
            session.execute(delete(Document).where(Document.procedure_id == procedure_id,
                                                   Document.language == language, Document.deleted.is_(False)))

    def remove_procedure(self, procedure_id: str) -> None:
        """Drop its uploads and hide its corpus records."""
        with self._db.session() as session:
            session.execute(delete(Document).where(Document.procedure_id == procedure_id))
            session.add(Document(id=secrets.token_hex(8), procedure_id=procedure_id, deleted=True, created_at=utcnow()))

    def uploads(self) -> list[Upload]:
        with self._db.session() as session:
            rows = session.scalars(select(Document).where(Document.deleted.is_(False)).order_by(Document.created_at))
            return [_upload(r) for r in rows]

    def uploaded_procedures(self) -> set[str]:
        """Ids only: the uploads' bytes stay in the database."""
        with self._db.session() as session:
            return set(session.scalars(select(Document.procedure_id).where(Document.deleted.is_(False))))

    def removed_procedures(self) -> set[str]:
        with self._db.session() as session:
            return set(session.scalars(select(Document.procedure_id).where(Document.deleted.is_(True))))

    def upload_for(self, procedure_id: str, language: str) -> Upload | None:
        """The current upload of this procedure and language, if any (to put it back if its replacement fails)."""
        with self._db.session() as session:
            row = session.scalars(select(Document).where(
                Document.procedure_id == procedure_id, Document.language == language,
                Document.deleted.is_(False))).first()
            return _upload(row) if row else None

    def catalogue_hashes(self, source: str) -> dict[tuple[str, str], str]:
        """(procedure_id, language) -> sha256 of every entry this catalogue source imported."""
        with self._db.session() as session:
            rows = session.execute(select(Document.procedure_id, Document.language, Document.sha256).where(
                Document.deleted.is_(False), Document.filename.like(f"{catalogue_prefix(source)}%")))
            return {(pid, lang or ""): sha or "" for pid, lang, sha in rows}

    def put_catalogue_entry(self, source: str, procedure_id: str, language: str, content: bytes) -> None:
        self.save_upload(procedure_id, language, f"{catalogue_prefix(source)}{procedure_id}.{language}.json", content)

    def remove_catalogue_entries(self, source: str, identities: list[tuple[str, str]]) -> None:
        """Delete these entries of the source; a corpus file for the same procedure serves again."""
        if not identities:
            return
        with self._db.session() as session:
            session.execute(delete(Document).where(
                Document.filename.like(f"{catalogue_prefix(source)}%"),
                tuple_(Document.procedure_id, Document.language).in_(identities)))


    def remove_fetched_page(self, page_id: str) -> None:
        """Drop the stored version of a synced page (gone from its site)."""
        with self._db.session() as session:
            session.execute(delete(Document).where(Document.filename.like(f"sync/{page_id}/%")))


def _upload(row: Document) -> Upload:
    return Upload(row.procedure_id, row.language or "", row.filename or "", row.content or b"", row.origin_url,
                  row.fetched_at)


def catalogue_prefix(source: str) -> str:
    return f"catalogue/{source}/"
