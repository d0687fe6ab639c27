"""Uploaded documents, catalogue entries and hidden corpus procedures. The database holds the uploaded bytes, so
any replica can write them out and index them. An upload only ever adds or overrides; removing it brings back
whatever it overrode. Hiding a procedure is a separate row (`deleted`), set and cleared only by explicit admin
actions. A catalogue entry is an upload whose file name is `catalogue/<source>/<id>.<lang>.json`: one per procedure
and language, like any upload, so an import and a document upload for the same procedure replace each other."""

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


@dataclass(frozen=True)
class UploadInfo:
    procedure_id: str
    language: str
    filename: str


class DocumentStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save_upload(self, procedure_id: str, language: str, filename: str, content: bytes,
                    origin_url: str | None = None, fetched_at: datetime | None = None) -> None:
        """Replace the upload for this procedure and language (a hidden procedure stays hidden)."""
        with self._db.session() as session:
            session.execute(delete(Document).where(
                Document.procedure_id == procedure_id, Document.language == language, Document.deleted.is_(False)))
            session.add(Document(id=secrets.token_hex(8), procedure_id=procedure_id, language=language,
                                 filename=filename, content=content, sha256=hashlib.sha256(content).hexdigest(),
                                 deleted=False, created_at=utcnow(), origin_url=origin_url, fetched_at=fetched_at))

    def remove_upload(self, procedure_id: str, language: str) -> None:
        """Drop the upload of one procedure and language (a replacement that could not be indexed)."""
        self.remove_uploads(procedure_id, language)

    def remove_uploads(self, procedure_id: str, language: str | None = None) -> int:
        """Delete the procedure's uploads (one language or all); returns how many went."""
        condition = (Document.procedure_id == procedure_id) & Document.deleted.is_(False)
        if language is not None:
            condition &= Document.language == language
        with self._db.session() as session:
            result = session.execute(delete(Document).where(condition))
        return int(getattr(result, "rowcount", 0) or 0)

    def hide(self, procedure_id: str) -> None:
        with self._db.session() as session:
            hidden = session.scalars(select(Document.id).where(
                Document.procedure_id == procedure_id, Document.deleted.is_(True))).first()
            if hidden is None:
                session.add(Document(id=secrets.token_hex(8), procedure_id=procedure_id, deleted=True,
                                     created_at=utcnow()))

    def show(self, procedure_id: str) -> bool:
        """Undo `hide`; returns whether the procedure was hidden."""
        with self._db.session() as session:
            result = session.execute(delete(Document).where(
                Document.procedure_id == procedure_id, Document.deleted.is_(True)))
        return bool(getattr(result, "rowcount", 0))

    def uploads(self) -> list[Upload]:
        with self._db.session() as session:
            rows = session.scalars(select(Document).where(Document.deleted.is_(False)).order_by(Document.created_at))
            return [_upload(r) for r in rows]

    def uploaded(self, procedure_id: str | None = None) -> list[UploadInfo]:
        """What was uploaded, without the bytes (they stay in the database)."""
        query = select(Document.procedure_id, Document.language, Document.filename).where(Document.deleted.is_(False))
        if procedure_id is not None:
            query = query.where(Document.procedure_id == procedure_id)
        with self._db.session() as session:
            return [UploadInfo(p, lang or "", name or "") for p, lang, name in session.execute(query)]

    def uploaded_procedures(self) -> set[str]:
        return {info.procedure_id for info in self.uploaded()}

    def hidden_procedures(self) -> set[str]:
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
