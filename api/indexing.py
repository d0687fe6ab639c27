"""Index jobs started by admins: a re-index in the background, an upload, a catalogue import, a removal or a
hiding while the admin waits. One job at a time across every replica (storage.jobs); the previous index serves
until the new one is complete."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from api.services import Services
from assistant.checks import untrusted_content
from core.index_store import IndexStoreError
from ingestion.catalogue import parse_catalogue
from ingestion.importing import ApplyResult, apply_entries, index_stored_sources
from ingestion.pipeline import IndexOptions, IndexReport
from ingestion.uploads import UploadClaim, UploadError, claim_from, document_fields, parse_upload

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
__all__ = ["IndexJobs", "NotIndexedError", "UnknownProcedureError", "UnknownUploadError", "UploadError"]


class UnknownProcedureError(LookupError):
    pass


class UnknownUploadError(LookupError):
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

    def upload(self, filename: str, data: bytes, procedure_id: str | None = None, language: str | None = None,
               replace: bool = False) -> tuple[str, str, str]:
        """Check, store and index one uploaded file; returns (procedure_id, language, job_id). When the index job
        cannot index it, the previous upload of that procedure and language is put back (the index still serves
        it) and NotIndexedError says why."""
        claim = claim_from(filename, procedure_id, language)
        doc = parse_upload(filename, data, self._options.max_file_bytes, claim)
        problems = untrusted_content(document_fields(doc), self._services.pipeline.config.official)
        if problems:
            raise UploadError("unsafe_content", f"{filename}: " + "; ".join(problems))
        self._check_override(claim, replace)
        documents = self._services.documents
        previous = documents.upload_for(claim.procedure_id, claim.language)
        job_id, outcome = self._store_then_index("upload", filename, lambda: documents.save_upload(
            claim.procedure_id, claim.language, filename, data))
        mirrored = f"uploads/{claim.procedure_id}/{claim.language}."  # where the index job reads this upload
        own = [e["message"] for e in outcome.errors if e["source"].startswith(mirrored)]
        if outcome.status == "failed" or own:
            if previous is not None:
                documents.save_upload(previous.procedure_id, previous.language, previous.filename, previous.content,
                                      previous.origin_url, previous.fetched_at)  # a synced page stays one
            else:
                documents.remove_upload(claim.procedure_id, claim.language)
            reasons = own or [e["message"] for e in outcome.errors] or ["the index job failed"]
            raise NotIndexedError(job_id, reasons, unavailable=outcome.status == "failed" and not own)
        return claim.procedure_id, claim.language, job_id

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

    def _check_override(self, claim: UploadClaim, replace: bool) -> None:
        """An upload adds; it overrides a corpus procedure, or puts text in place of a structured record, only
        when the admin says so."""
        pid, documents = claim.procedure_id, self._services.documents
        if pid in documents.hidden_procedures():
            raise UploadError("procedure_hidden", f"procedure {pid!r} is hidden; show it again before uploading "
                                                  f"(DELETE /v1/admin/procedures/{pid}/hidden)", 409)
        if replace:
            return
        corpus = self._corpus_files(pid)
        if corpus:
            raise UploadError("corpus_procedure", f"procedure {pid!r} is in the corpus; send replace=true to "
                                                  "override it (deleting the upload brings the corpus record back)", 409)
        structured = any(u.language == claim.language and PurePath(u.filename).suffix.lower() == ".md"
                         for u in documents.uploaded(pid))
        if structured and not claim.structured:
            raise UploadError("structured_record_exists",
                              f"procedure {pid!r} in {claim.language!r} is a structured record; a text-only upload "
                              "replaces it only with replace=true", 409)

    def _corpus_files(self, procedure_id: str) -> list[str]:
        folder = self._services.settings.corpus_dir / "procedures" / procedure_id
        return sorted(p.name for p in folder.glob("*.*")) if folder.is_dir() else []

    def remove_upload(self, procedure_id: str, language: str | None = None) -> str:
        """Delete a procedure's uploads (one language or all): whatever they overrode is served again."""
        if not any(language in (None, u.language) for u in self._services.documents.uploaded(procedure_id)):
            raise UnknownUploadError(procedure_id)
        job_id, _ = self._store_then_index("delete", procedure_id,
                                           lambda: self._services.documents.remove_uploads(procedure_id, language))
        return job_id

    def set_hidden(self, procedure_id: str, hidden: bool) -> str:
        """Hide a procedure from every answer and search (corpus and uploads), or show it again."""
        documents = self._services.documents
        known = self._services.catalog.procedure_ids() | documents.uploaded_procedures()
        if hidden and procedure_id not in known | documents.hidden_procedures():
            raise UnknownProcedureError(procedure_id)
        if not hidden and procedure_id not in documents.hidden_procedures():
            raise UnknownProcedureError(procedure_id)
        change = documents.hide if hidden else documents.show
        job_id, _ = self._store_then_index("hide" if hidden else "show", procedure_id, lambda: change(procedure_id))
        return job_id

    def hidden(self) -> list[str]:
        return sorted(self._services.documents.hidden_procedures())

    def change_and_index(self, kind: str, source: str, change: Callable[[], object]) -> tuple[str, JobOutcome]:
        """Apply a change to what is stored (e.g. a sync source removed) and index it, holding the job place."""
        return self._store_then_index(kind, source, change)

    def _store_then_index(self, kind: str, source: str, store: Callable[[], object],
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
        self._services.answer_cache.clear()
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
                                    on_progress=lambda done, total: services.jobs.progress(job_id, done, total),
                                    aliases=services.reviews.aliases_by_procedure())

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        # A few beats per stale window, so a live job is never taken for a dead one.
        every = min(HEARTBEAT_SECONDS, self._services.jobs.stale_after.total_seconds() / 4)
        while not stop.wait(every):
            try:
                self._services.jobs.touch(job_id)
            except Exception:  # a missed beat only risks the job being called stale later; never stop the job
                logger.warning("event=job_heartbeat_failed job=%s", job_id)


def _job_error(exc: Exception) -> str:
    if isinstance(exc, IndexStoreError):
        return str(exc)
    return "the index could not be rebuilt; the previous index is still serving (see the service log)"
