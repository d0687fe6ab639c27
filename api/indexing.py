"""Index jobs started by admins: a re-index in the background, an upload or a removal while the admin waits.
One job at a time across every replica (storage.jobs); the previous index serves until the new one is complete."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from api.services import Services
from core.index_store import IndexStoreError
from ingestion.catalogue import parse_catalogue
from ingestion.importing import ApplyResult, apply_entries, index_stored_sources
from ingestion.loaders import SUPPORTED_SUFFIXES, LoadError, SourceDocument, load_document
from ingestion.pipeline import IndexOptions, IndexReport

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
_SAFE_NAME = re.compile(r"^[\w][\w .()-]{0,199}$")


class UploadError(ValueError):
    """An upload that cannot be accepted; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class UnknownProcedureError(LookupError):
    pass


class NotIndexedError(RuntimeError):
    """The change was refused by the index job; the previous version keeps answering. `reasons` say why."""

    def __init__(self, job_id: str, reasons: list[str], unavailable: bool) -> None:
        super().__init__("; ".join(reasons))
        self.job_id, self.reasons, self.unavailable = job_id, reasons, unavailable


@dataclass
class JobOutcome:
    status: str  # succeeded, partial (indexed, but some sources failed and kept their previous version), failed
    errors: list[dict[str, str]] = field(default_factory=list)
    report: IndexReport | None = None


@dataclass
class CatalogueImport:
    job_id: str
    applied: ApplyResult
    line_errors: list[tuple[int, str]]
    outcome: JobOutcome


class IndexJobs:
    def __init__(self, services: Services) -> None:
        self._services = services
        settings = services.settings
        self._uploads = settings.data_dir / "uploads"
        self._options = IndexOptions(settings.chunk_size, settings.chunk_overlap, settings.max_file_bytes,
                                     settings.embed_batch_size)

    def start_reindex(self, full: bool) -> str:
        """Queue a re-index and run it in a background thread; JobConflictError if one is active."""
        job_id = self._services.jobs.start("reindex", full)
        threading.Thread(target=self._run, args=(job_id, full), name=f"reindex-{job_id}", daemon=True).start()
        return job_id

    def upload(self, filename: str, data: bytes) -> tuple[str, str, str]:
        """Check, store and index one uploaded file; returns (procedure_id, language, job_id). When the index job
        cannot index it, the previous upload of that procedure and language is put back (the index still serves
        it) and NotIndexedError says why."""
        doc = parse_upload(filename, data, self._options.max_file_bytes)
        documents = self._services.documents
        previous = documents.upload_for(doc.procedure_id, doc.language)
        job_id, outcome = self._store_then_index("upload", filename, lambda: documents.save_upload(
            doc.procedure_id, doc.language, filename, data))
        own = [e["message"] for e in outcome.errors if e["source"].startswith(f"uploads/{doc.procedure_id}/")]
        if outcome.status == "failed" or own:
            if previous is not None:
                documents.save_upload(previous.procedure_id, previous.language, previous.filename, previous.content)
            else:
                documents.remove_upload(doc.procedure_id, doc.language)
            reasons = own or [e["message"] for e in outcome.errors] or ["the index job failed"]
            raise NotIndexedError(job_id, reasons, unavailable=outcome.status == "failed" and not own)
        return doc.procedure_id, doc.language, job_id

    def import_catalogue(self, filename: str, data: bytes, prune: bool, source: str = "catalogue") -> CatalogueImport:
        """Store a catalogue file's valid lines (bad ones are named, the rest go in) and index what changed."""
        if len(data) > self._services.settings.max_catalogue_bytes:
            raise UploadError("too_large", f"the file is {len(data)} bytes, over the limit of "
                                           f"{self._services.settings.max_catalogue_bytes}")
        parsed = parse_catalogue(data, source)
        if not parsed.entries:
            named = "; ".join(f"line {n}: {reason}" for n, reason in parsed.errors[:5]) or "the file has no lines"
            raise UploadError("invalid_catalogue", f"{filename}: no line could be imported ({named})")
        applied: list[ApplyResult] = []
        line_errors = [{"source": f"{filename}:{n}", "message": reason} for n, reason in parsed.errors]
        job_id, outcome = self._store_then_index(
            "import", filename, lambda: applied.append(apply_entries(self._services.documents, source,
                                                                     parsed.entries, prune)),
            extra_errors=line_errors)
        return CatalogueImport(job_id, applied[0], parsed.errors, outcome)

    def remove(self, procedure_id: str) -> str:
        """Take a procedure out of service: its uploads are deleted and its corpus records hidden."""
        known = self._services.catalog.procedure_ids()
        if procedure_id not in known | self._services.documents.uploaded_procedures():
            raise UnknownProcedureError(procedure_id)
        job_id, _ = self._store_then_index("delete", procedure_id,
                                           lambda: self._services.documents.remove_procedure(procedure_id))
        return job_id

    def _store_then_index(self, kind: str, source: str, store: Callable[[], None],
                          extra_errors: list[dict[str, str]] | None = None) -> tuple[str, JobOutcome]:
        """Hold the single job place while the change is stored and indexed, so no re-index sees half of it."""
        job_id = self._services.jobs.start(kind)
        try:
            store()
        except BaseException:
            self._services.jobs.finish(job_id, "failed", {}, [{"source": source, "message": "could not store"}])
            raise
        return job_id, self._run(job_id, full=False, extra_errors=extra_errors or [])

    def _run(self, job_id: str, full: bool, extra_errors: list[dict[str, str]] | None = None) -> JobOutcome:
        """Index and record the outcome: `failed` when no new index went into service, `partial` when it did but
        some sources (or catalogue lines) failed and kept their previous version, else `succeeded`."""
        jobs = self._services.jobs
        stop = threading.Event()
        threading.Thread(target=self._heartbeat, args=(job_id, stop), daemon=True).start()
        try:
            jobs.mark_running(job_id)
            report = self._index(job_id, full)
        except Exception as exc:
            logger.exception("event=index_job_failed job=%s", job_id)
            errors = [{"source": "", "message": _job_error(exc)}, *(extra_errors or [])]
            jobs.finish(job_id, "failed", {}, errors)
            return JobOutcome("failed", errors)
        finally:
            stop.set()
        self._services.retriever.expire()
        errors = [{"source": source, "message": reason} for source, reason in sorted(report.failed.items())]
        errors += extra_errors or []
        status = "partial" if errors else "succeeded"
        jobs.finish(job_id, status, report.counts, errors)
        logger.info("event=index_job_done job=%s status=%s switched=%s counts=%s", job_id, status, report.switched,
                    report.counts)
        return JobOutcome(status, errors, report)

    def _index(self, job_id: str, full: bool) -> IndexReport:
        services = self._services
        return index_stored_sources(services.settings.corpus_dir, self._uploads, services.documents,
                                    services.embedder, services.index, self._options, full=full,
                                    on_progress=lambda done, total: services.jobs.progress(job_id, done, total))

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        # A few beats per stale window, so a live job is never taken for a dead one.
        every = min(HEARTBEAT_SECONDS, self._services.jobs.stale_after.total_seconds() / 4)
        while not stop.wait(every):
            try:
                self._services.jobs.touch(job_id)
            except Exception:  # a missed beat only risks the job being called stale later; never stop the job
                logger.warning("event=job_heartbeat_failed job=%s", job_id)


def parse_upload(filename: str, data: bytes, max_bytes: int) -> SourceDocument:
    """The uploaded file as a source document, or UploadError naming what is wrong with it."""
    if not filename or "/" in filename or "\\" in filename or ".." in filename or not _SAFE_NAME.match(filename):
        raise UploadError("invalid_filename", "the file name must be a plain name such as cnie.fr.pdf, without a path")
    if len(data) > max_bytes:
        raise UploadError("too_large", f"the file is {len(data)} bytes, over the limit of {max_bytes}")
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError("unsupported_type", f"unsupported file type {suffix or '(none)'}; "
                                              "upload .md, .html, .pdf or .docx")
    try:
        doc = load_document(Path("upload") / filename, f"upload/{filename}", max_bytes, data=data)
    except LoadError as exc:
        raise UploadError("invalid_document", f"{filename}: {exc}") from exc
    if doc.language not in ("fr", "ar", "en"):
        raise UploadError("invalid_document", f"{filename}: language {doc.language!r} is not served; "
                                              "name the file <id>.<fr|ar|en>.<ext>")
    return doc


def _job_error(exc: Exception) -> str:
    if isinstance(exc, IndexStoreError):
        return str(exc)
    return "the index could not be rebuilt; the previous index is still serving (see the service log)"
