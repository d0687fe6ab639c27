"""Uploaded documents and removed corpus procedures. The database holds the uploaded bytes, so any replica can
write them out and index them; `deleted` rows hide a corpus procedure from the index."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from storage.database import Database
from storage.models import Document, utcnow


@dataclass(frozen=True)
class Upload:
    procedure_id: str
    language: str
    filename: str
    content: bytes


class DocumentStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def save_upload(self, procedure_id: str, language: str, filename: str, content: bytes) -> None:
        """Replace the upload for this procedure and language, and bring the procedure back if it was removed."""
        with self._db.session() as session:
            session.execute(delete(Document).where(
                Document.procedure_id == procedure_id,
                (Document.language == language) | Document.deleted.is_(True)))
            session.add(Document(id=secrets.token_hex(8), procedure_id=procedure_id, language=language,
                                 filename=filename, content=content, sha256=hashlib.sha256(content).hexdigest(),
                                 deleted=False, created_at=utcnow()))

    def remove_procedure(self, procedure_id: str) -> None:
        """Drop its uploads and hide its corpus records."""
        with self._db.session() as session:
            session.execute(delete(Document).where(Document.procedure_id == procedure_id))
            session.add(Document(id=secrets.token_hex(8), procedure_id=procedure_id, deleted=True, created_at=utcnow()))

    def uploads(self) -> list[Upload]:
        with self._db.session() as session:
            rows = session.scalars(select(Document).where(Document.deleted.is_(False)).order_by(Document.created_at))
            return [Upload(r.procedure_id, r.language or "", r.filename or "", r.content or b"") for r in rows]

    def uploaded_procedures(self) -> set[str]:
        """Ids only: the uploads' bytes stay in the database."""
        with self._db.session() as session:
            return set(session.scalars(select(Document.procedure_id).where(Document.deleted.is_(False))))

    def removed_procedures(self) -> set[str]:
        with self._db.session() as session:
            return set(session.scalars(select(Document.procedure_id).where(Document.deleted.is_(True))))
