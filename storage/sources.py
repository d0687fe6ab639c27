"""Official sources an admin registered for the sync (one page, or a sitemap) and the pages they hold.

A page's last good version lives in the documents table like an upload, named `sync/<page id>/<id>.<lang><ext>`
and carrying its URL and fetch time; this store keeps what the sync needs to decide what to do next time (ETag,
Last-Modified, the served version's hash and text length, how many runs in a row found it gone)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.models import Document, SyncPage, SyncSource, utcnow


class SourceExistsError(Exception):
    """The URL is already registered."""


@dataclass
class SourceInfo:
    id: str
    url: str
    kind: str  # page, sitemap
    procedure_id: str | None
    language: str | None
    created_at: datetime
    last_run_at: datetime | None
    status: str | None
    message: str | None
    pages: int = 0


@dataclass
class PageState:
    id: str
    source_id: str
    url: str
    procedure_id: str | None = None
    language: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    text_chars: int = 0
    fetched_at: datetime | None = None
    checked_at: datetime | None = None
    outcome: str | None = None
    http_status: int | None = None
    message: str | None = None
    gone_count: int = 0


_PAGE_FIELDS = [f.name for f in fields(PageState)]


def sync_prefix(page_id: str) -> str:
    return f"sync/{page_id}/"


class SourceStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, url: str, kind: str, procedure_id: str | None = None, language: str | None = None) -> SourceInfo:
        source = SyncSource(id=secrets.token_hex(8), url=url, kind=kind, procedure_id=procedure_id,
                            language=language, created_at=utcnow())
        try:
            with self._db.session() as session:
                session.add(source)
        except IntegrityError as exc:
            raise SourceExistsError(url) from exc
        return _info(source, 0)

    def all(self) -> list[SourceInfo]:
        with self._db.session() as session:
            counts = dict(session.execute(select(SyncPage.source_id, func.count()).group_by(SyncPage.source_id)).all())
            rows = session.scalars(select(SyncSource).order_by(SyncSource.created_at))
            return [_info(row, counts.get(row.id, 0)) for row in rows]

    def find(self, id_or_url: str) -> SourceInfo | None:
        return next((s for s in self.all() if id_or_url in (s.id, s.url)), None)

    def remove(self, source_id: str) -> int:
        """Forget the source, its pages and their stored versions; returns how many pages went."""
        with self._db.session() as session:
            page_ids = list(session.scalars(select(SyncPage.id).where(SyncPage.source_id == source_id)))
            for page_id in page_ids:
                session.execute(delete(Document).where(Document.filename.like(f"{sync_prefix(page_id)}%")))
            session.execute(delete(SyncPage).where(SyncPage.source_id == source_id))
            session.execute(delete(SyncSource).where(SyncSource.id == source_id))
        return len(page_ids)

    def pages(self, source_id: str | None = None) -> list[PageState]:
        with self._db.session() as session:
            query = select(SyncPage).order_by(SyncPage.url)
            if source_id is not None:
                query = query.where(SyncPage.source_id == source_id)
            return [PageState(**{name: getattr(row, name) for name in _PAGE_FIELDS}) for row in session.scalars(query)]

    def add_pages(self, source_id: str, urls: list[str]) -> list[str]:
        """Start following these URLs for the source; a URL another source already follows stays with it.
        Returns the URLs that were left to their other source."""
        with self._db.session() as session:
            owners: dict[str, str] = dict(session.execute(  # type: ignore[arg-type]
                select(SyncPage.url, SyncPage.source_id).where(SyncPage.url.in_(urls))).all())
            for url in dict.fromkeys(urls):
                if url not in owners:
                    session.add(SyncPage(id=secrets.token_hex(8), source_id=source_id, url=url, text_chars=0,
                                         gone_count=0))
        return [url for url, owner in owners.items() if owner != source_id]

    def save_page(self, page: PageState) -> None:
        with self._db.session() as session:
            row = session.get(SyncPage, page.id)
            if row is None:  # its source was removed while the sync ran
                return
            for name in _PAGE_FIELDS:
                setattr(row, name, getattr(page, name))

    def identity_owner(self, procedure_id: str, language: str) -> str | None:
        """The page that holds this procedure and language, if any."""
        with self._db.session() as session:
            return session.scalars(select(SyncPage.id).where(SyncPage.procedure_id == procedure_id,
                                                             SyncPage.language == language)).first()

    def finish_run(self, source_id: str, status: str, message: str) -> None:
        with self._db.session() as session:
            row = session.get(SyncSource, source_id)
            if row is not None:
                row.last_run_at, row.status, row.message = utcnow(), status, message


def _info(row: SyncSource, pages: int) -> SourceInfo:
    return SourceInfo(row.id, row.url, row.kind, row.procedure_id, row.language, row.created_at, row.last_run_at,
                      row.status, row.message, pages)
