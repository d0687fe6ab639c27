"""The procedure records of the active index generation, apart from the keyword index that searches them.

Both are derived from one `IndexSnapshot`: the active generation's chunks, loaded once per generation and checked
every few seconds, so that replicas follow a re-index made elsewhere. The pipeline, search, the procedure routes and
the admin routes read records from the `RecordCatalog`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property

from core.index_store import Chunk, ChunkIndex
from core.records import ProcedureRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredRecord:
    record: ProcedureRecord
    body: str

    @cached_property
    def full_text(self) -> str:
        """Every field but the aliases, as JSON, then the body: what the output check reads a record's figures
        from. Made once per record and generation (a record is kept as long as its generation is served)."""
        return f"{self.record.model_dump_json(exclude={'aliases'})}\n{self.body}"

    @classmethod
    def from_card(cls, chunk: Chunk) -> StoredRecord | None:
        try:
            record = ProcedureRecord.model_validate_json(chunk.metadata["record"])
        except (KeyError, ValueError):
            logger.warning("event=unreadable_record_card chunk=%s", chunk.id)
            return None
        return cls(record, str(chunk.metadata.get("body", "")))


class IndexSnapshot:
    """The active generation's chunks. `current()` returns them, reloading when the generation changed; when the
    vector store is down it keeps serving what was loaded."""

    def __init__(self, index: ChunkIndex, refresh_seconds: float = 5.0) -> None:
        self._index = index
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._chunks: list[Chunk] | None = None
        self._checked_at = 0.0

    def current(self) -> tuple[str | None, list[Chunk]]:
        now = time.monotonic()
        if self._chunks is not None and now - self._checked_at < self._refresh_seconds:
            return self._generation, self._chunks
        with self._lock:
            if self._chunks is not None and now - self._checked_at < self._refresh_seconds:
                return self._generation, self._chunks
            try:
                generation = self._index.generation()
                if generation != self._generation or self._chunks is None:
                    self._chunks = self._index.all_chunks()
                    self._generation = generation
                    logger.info("event=snapshot_loaded generation=%s chunks=%d", generation, len(self._chunks))
            except Exception:
                if self._chunks is None:
                    raise
                logger.warning("event=snapshot_refresh_failed keeping=%s", self._generation)
            self._checked_at = now
            return self._generation, self._chunks

    def expire(self) -> None:
        """Check the pointer on the next use: this process has just switched it."""
        self._checked_at = 0.0


class RecordCatalog:
    """(procedure_id, language) -> record, for every structured record of the active generation."""

    def __init__(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot
        self._built_for: list[Chunk] | None = None
        self._records: dict[tuple[str, str], StoredRecord] = {}

    def records(self) -> dict[tuple[str, str], StoredRecord]:
        _, chunks = self._snapshot.current()
        if chunks is not self._built_for:
            self._records = {
                (r.record.id, r.record.lang): r
                for r in (StoredRecord.from_card(c) for c in chunks if c.metadata.get("kind") == "card") if r
            }
            self._built_for = chunks
        return self._records

    def get(self, procedure_id: str, language: str) -> StoredRecord | None:
        return self.records().get((procedure_id, language))

    def record_for(self, procedure_id: str, language: str) -> StoredRecord | None:
        """The record in `language`, else in the first of fr, ar, en that exists."""
        records = self.records()
        for candidate in (language, "fr", "ar", "en"):
            if (procedure_id, candidate) in records:
                return records[(procedure_id, candidate)]
        return None

    def procedure_ids(self) -> set[str]:
        return {procedure_id for procedure_id, _ in self.records()}

    def title(self, procedure_id: str, language: str) -> str:
        stored = self.record_for(procedure_id, language)
        return stored.record.title if stored else procedure_id
