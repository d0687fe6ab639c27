"""Citations: a procedure's record in the answer's record language, numbered as the answer cites it."""

from __future__ import annotations

import re

from assistant.catalog import RecordCatalog, StoredRecord
from assistant.context import Citation
from assistant.forms import RECORD_LANGUAGE


def citation_for(catalog: RecordCatalog, procedure_id: str, language: str, n: int) -> Citation | None:
    """Citation `n` of a procedure, from its record in the answer language's record language."""
    stored = catalog.record_for(procedure_id, RECORD_LANGUAGE.get(language, "fr"))
    if stored is None:
        return None
    record = stored.record
    return Citation(n=n, procedure_id=procedure_id, title=record.title, language=record.lang,
                    url=str(record.source_url or ""), snippet=snippet(stored), stored=stored)


def snippet(stored: StoredRecord) -> str:
    body = re.sub(r"^##.*$", "", stored.body, flags=re.MULTILINE)
    flat = " ".join(body.split())
    return flat[:220] + ("…" if len(flat) > 220 else "")


def record_text(stored: StoredRecord | None) -> str:
    """A record as the model reads it: its structured fields, then its body."""
    if stored is None:
        return ""
    return f"{stored.record.model_dump_json(exclude={'aliases'})}\n{stored.body}"
