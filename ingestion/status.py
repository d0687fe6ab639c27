"""What the active index holds, read from Chroma (no embedder needed)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.index_store import ChromaIndex, connect, iter_records
from core.settings import Settings


def index_status(settings: Settings) -> dict[str, Any]:
    client = connect(settings)
    pointer = ChromaIndex(client, settings.index_name, "", 0).pointer()
    status: dict[str, Any] = {
        "store": settings.chroma_url or str(settings.chroma_path),
        "active generation": pointer.get("active", "(none: run `python -m ingestion index`)"),
    }
    if not pointer.get("active"):
        return status
    collection = client.get_collection(str(pointer["active"]))
    sources: set[str] = set()
    procedures: set[str] = set()
    languages: Counter[str] = Counter()
    records: dict[str, bool] = {}  # procedure -> structured in any language
    chunks = 0
    for _, _, metadata, _ in iter_records(collection, embeddings=False):
        chunks += 1
        sources.add(metadata.get("source_key", ""))
        procedures.add(metadata.get("procedure_id", ""))
        languages[metadata.get("language", "?")] += 1
        if metadata.get("kind") == "card":
            # Cards of indexes built before `structured` existed are corpus records: structured.
            pid = str(metadata.get("procedure_id", ""))
            records[pid] = records.get(pid, False) or bool(metadata.get("structured", True))
    structured = sum(records.values())
    status.update({
        "embedder": f"{pointer.get('embedder')} ({pointer.get('dimension')} dims)",
        "sources": len(sources), "procedures": len(procedures),
        "procedures structured": structured, "procedures text-only": len(records) - structured,
        "chunks": chunks,
        "chunks by language": ", ".join(f"{k}={v}" for k, v in sorted(languages.items())),
    })
    return status
