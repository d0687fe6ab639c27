"""Incremental indexing into a new Chroma generation, switched into service only once complete."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chromadb.api.models.Collection import Collection

from core.embedders import Embedder
from core.index_store import ChromaIndex, Chunk, IndexMismatchError, IndexUnavailableError, iter_records
from ingestion.chunking import CHUNKING_VERSION, chunk_document
from ingestion.loaders import INDEXED_SUFFIXES, LoadError, Origin, SourceDocument, load_document

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # source key -> reason
    chunks_embedded: int = 0
    chunks_total: int = 0
    records: int = 0
    seconds: float = 0.0
    switched: bool = False  # whether a new generation went into service

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "updated": len(self.updated), "deleted": len(self.deleted),
                "unchanged": len(self.unchanged), "failed": len(self.failed)}


@dataclass(frozen=True)
class IndexOptions:
    chunk_size: int = 900
    chunk_overlap: int = 120
    max_file_bytes: int = 5_000_000
    batch_size: int = 32


def discover_sources(roots: Iterable[Path]) -> dict[str, Path]:
    """Every supported file under the roots, keyed by '<root name>/<relative path>'."""
    found: dict[str, Path] = {}
    for root in roots:
        if root.is_file():
            found[root.name] = root
            continue
        if not root.is_dir():
            raise FileNotFoundError(f"no such folder: {root}")
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() in INDEXED_SUFFIXES and not path.name.startswith("."):
                found[f"{root.name}/{path.relative_to(root).as_posix()}"] = path
    return found


def indexed_sources(index: ChromaIndex) -> tuple[Collection | None, dict[str, str]]:
    """The active generation and the content hash of each source it holds."""
    try:
        collection = index.active_collection()
    except IndexUnavailableError:
        return None, {}
    # A source chunked by another version of the chunker counts as changed; so does one without a record card
    # (a document indexed before every document had one): only it is embedded again, not the whole corpus.
    hashes: dict[str, str] = {}
    carded: set[str] = set()
    for _, _, m, _ in iter_records(collection, embeddings=False):
        hashes[m["source_key"]] = m["source_hash"] if m.get("chunking") == CHUNKING_VERSION else "stale"
        if m.get("kind") == "card":
            carded.add(m["source_key"])
    return collection, {key: value if key in carded else "stale" for key, value in hashes.items()}


def _previous_index(index: ChromaIndex, full: bool) -> tuple[Collection | None, dict[str, str]]:
    if not full:
        return indexed_sources(index)  # an index built by another embedder stops here, with the reason
    try:
        return indexed_sources(index)
    except IndexMismatchError:
        return None, {}  # a full rebuild is how one moves to a new embedder


def run_index(
    roots: Iterable[Path], embedder: Embedder, index: ChromaIndex, options: IndexOptions,
    full: bool = False, on_progress: ProgressCallback | None = None, removed: frozenset[str] = frozenset(),
    origins: Mapping[str, Origin] | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> IndexReport:
    """Index every source under the roots. A procedure and language found in several roots is taken from the last
    root (uploads override the corpus); procedures in `removed` are left out. `origins` names the page a source key
    was fetched from (the source sync). `aliases` (procedure id -> aliases learned from agents' corrections) join
    the record's own in every language."""
    started = time.perf_counter()
    report = IndexReport()
    active, previous = _previous_index(index, full)
    loaded, failed = _load_sources(discover_sources(roots), options.max_file_bytes, origins or {})
    report.failed = failed
    served = {key: with_learned_aliases(doc, (aliases or {}).get(doc.procedure_id, ()))
              for key, doc in _resolve_identities(loaded, removed).items()}
    changed: list[SourceDocument] = []
    # Sources whose chunks carry over from the active generation; a broken edit must not erase what was served.
    keep: set[str] = {key for key in failed if key in previous and not full}
    for key, doc in served.items():
        report.records += 1
        if not full and previous.get(key) == doc.content_hash:
            report.unchanged.append(key)
            keep.add(key)
        else:
            (report.updated if key in previous else report.added).append(key)
            changed.append(doc)
    report.deleted = sorted(set(previous) - set(served) - keep)
    if active is not None and not full and not changed and not report.deleted:
        report.chunks_total = active.count()
        report.seconds = time.perf_counter() - started
        return report
    _build_generation(index, embedder, active, keep, changed, options, report, on_progress)
    report.seconds = time.perf_counter() - started
    return report


def _load_sources(sources: dict[str, Path], max_bytes: int, origins: Mapping[str, Origin],
                  ) -> tuple[dict[str, SourceDocument], dict[str, str]]:
    loaded: dict[str, SourceDocument] = {}
    failed: dict[str, str] = {}
    for key, path in sources.items():
        try:
            loaded[key] = load_document(path, key, max_bytes, origin=origins.get(key))
        except (LoadError, OSError) as exc:
            failed[key] = str(exc) if isinstance(exc, LoadError) else f"cannot read file ({exc.strerror})"
    return loaded, failed


def _resolve_identities(loaded: dict[str, SourceDocument], removed: frozenset[str]) -> dict[str, SourceDocument]:
    """One source per (procedure, language): the last one found wins, as roots are listed in order."""
    winner: dict[tuple[str, str], str] = {}
    for key, doc in loaded.items():
        if doc.procedure_id not in removed:
            winner[(doc.procedure_id, doc.language)] = key
    kept = set(winner.values())
    return {key: doc for key, doc in loaded.items() if key in kept}


def with_learned_aliases(doc: SourceDocument, learned: Sequence[str]) -> SourceDocument:
    """The document with learned aliases in its record (so in its card, for BM25 and the embedder). Its hash
    changes with them, so adding or removing one re-embeds the procedure's sources at the next run, and only them."""
    new = [a for a in dict.fromkeys(learned) if a and a not in doc.record.aliases] if doc.record else []
    if doc.record is None or not new:
        return doc
    digest = hashlib.sha256("\n".join([doc.content_hash, *new]).encode()).hexdigest()
    record = doc.record.model_copy(update={"aliases": [*doc.record.aliases, *new]})
    return replace(doc, record=record, content_hash=digest)


def _build_generation(
    index: ChromaIndex, embedder: Embedder, active: Collection | None, keep: set[str],
    changed: list[SourceDocument], options: IndexOptions, report: IndexReport,
    on_progress: ProgressCallback | None,
) -> None:
    new_chunks = [c for doc in changed for c in chunk_document(doc, options.chunk_size, options.chunk_overlap)]
    generation = index.new_generation()
    try:
        carried = _carry_over(active, generation, keep) if active is not None else 0
        done, total = 0, len(new_chunks)
        if on_progress:
            on_progress(0, total)
        for start in range(0, total, options.batch_size):
            batch = new_chunks[start:start + options.batch_size]
            vectors = embedder.embed_passages([c.text for c in batch])
            _add(generation, batch, vectors.tolist())
            done += len(batch)
            if on_progress:
                on_progress(done, total)
        index.activate(generation)
    except BaseException:
        # Whatever stopped the build, the previous generation keeps serving; the partial one goes.
        _drop_quietly(index, generation.name)
        raise
    report.chunks_embedded = len(new_chunks)
    report.chunks_total = carried + len(new_chunks)
    report.switched = True


def _carry_over(active: Collection, generation: Collection, keep: set[str]) -> int:
    """Copy the chunks of unchanged sources with their stored vectors: nothing is re-embedded."""
    batch: list[tuple[str, str, dict[str, Any], Any]] = []
    carried = 0
    for record in iter_records(active, embeddings=True):
        if record[2].get("source_key") in keep:
            batch.append(record)
        if len(batch) >= 500:
            carried += _flush(generation, batch)
    return carried + _flush(generation, batch)


def _flush(generation: Collection, batch: list[tuple[str, str, dict[str, Any], Any]]) -> int:
    if not batch:
        return 0
    chunks = [Chunk(i, d, m) for i, d, m, _ in batch]
    _add(generation, chunks, [list(map(float, r[3])) for r in batch])
    count = len(batch)
    batch.clear()
    return count


def _add(collection: Collection, chunks: list[Chunk], vectors: list[list[float]]) -> None:
    collection.add(
        ids=[c.id for c in chunks], documents=[c.text for c in chunks], embeddings=vectors,  # type: ignore[arg-type]
        metadatas=[c.metadata for c in chunks],
    )


def _drop_quietly(index: ChromaIndex, name: str) -> None:
    try:
        index.drop_inactive_generations()
    except Exception:  # the next run drops it anyway; never hide the original error behind this one
        logger.warning("event=drop_partial_generation_failed generation=%s", name, exc_info=True)
