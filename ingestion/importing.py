"""Applying a source's parsed entries to the store, incrementally, then indexing what the store holds.

`apply_entries` is a catalogue import's step: it takes every entry a source gives now, stores the new and changed
ones, leaves the unchanged ones alone (so the indexer does not embed them again) and, only when asked to prune,
deletes the source's entries that the new set no longer has. The source sync (ingestion.sync) stores page by page
instead, since a page missing from a run is kept, not pruned; both end in `index_stored_sources`."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Protocol

from core.embedders import Embedder
from core.index_store import ChromaIndex
from ingestion.catalogue import CatalogueEntry
from ingestion.loaders import Origin
from ingestion.pipeline import IndexOptions, IndexReport, ProgressCallback, run_index
from storage.documents import Upload

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class EntryStore(Protocol):
    def catalogue_hashes(self, source: str) -> dict[tuple[str, str], str]: ...

    def put_catalogue_entry(self, source: str, procedure_id: str, language: str, content: bytes) -> None: ...

    def remove_catalogue_entries(self, source: str, identities: list[tuple[str, str]]) -> None: ...


class StoredSources(Protocol):
    def uploads(self) -> list[Upload]: ...

    def hidden_procedures(self) -> set[str]: ...


@dataclass
class ApplyResult:
    added: list[str] = field(default_factory=list)  # "id.lang"
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_missing: list[str] = field(default_factory=list)  # missing from the new set, kept because not pruning


def apply_entries(store: EntryStore, source: str, entries: list[CatalogueEntry], prune: bool) -> ApplyResult:
    if not SOURCE_NAME.match(source):
        raise ValueError(f"source name {source!r} must be lowercase letters, digits, '.', '_' or '-'")
    stored = store.catalogue_hashes(source)
    result = ApplyResult()
    for entry in entries:
        identity = (entry.procedure_id, entry.language)
        name = f"{entry.procedure_id}.{entry.language}"
        digest = hashlib.sha256(entry.content).hexdigest()
        if stored.get(identity) == digest:
            result.unchanged.append(name)
            continue
        store.put_catalogue_entry(source, entry.procedure_id, entry.language, entry.content)
        (result.changed if identity in stored else result.added).append(name)
    missing = sorted(set(stored) - {(e.procedure_id, e.language) for e in entries})
    if prune:
        store.remove_catalogue_entries(source, missing)
        result.removed = [f"{pid}.{lang}" for pid, lang in missing]
    else:
        result.kept_missing = [f"{pid}.{lang}" for pid, lang in missing]
    return result


def write_uploads(documents: StoredSources, folder: Path) -> dict[str, Origin]:
    """The uploads folder mirrors the database, so whichever replica runs the job indexes the same files. Returns
    the origin of each file the source sync fetched, by its source key."""
    staging = folder.with_name(folder.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    origins: dict[str, Origin] = {}
    for upload in documents.uploads():
        relative = f"{upload.procedure_id}/{upload.language}{PurePath(upload.filename).suffix.lower()}"
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(upload.content)
        if upload.origin_url and upload.fetched_at:
            origins[f"{folder.name}/{relative}"] = Origin(upload.origin_url, upload.fetched_at.date())
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return origins


def index_stored_sources(corpus: Path, uploads: Path, documents: StoredSources, embedder: Embedder,
                         index: ChromaIndex, options: IndexOptions, full: bool = False,
                         on_progress: ProgressCallback | None = None,
                         aliases: Mapping[str, Sequence[str]] | None = None) -> IndexReport:
    """The corpus, then every upload and catalogue entry (which override a corpus file of the same procedure and
    language), less the hidden procedures; `aliases` learned from agents' corrections join their records."""
    origins = write_uploads(documents, uploads)
    roots: Iterable[Path] = [corpus, uploads]
    return run_index(roots, embedder, index, options, full=full, on_progress=on_progress,
                     removed=frozenset(documents.hidden_procedures()), origins=origins, aliases=aliases)
