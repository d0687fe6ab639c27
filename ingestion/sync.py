"""Keeping official pages in sync: each registered page (or every page of a registered sitemap) is fetched
conditionally; a page whose content changed is read like an uploaded document and stored as the new version of its
procedure. The version being served is never given up for a worse one: a failed fetch, an empty page or one that
shrank suspiciously keeps it, and a page is removed only when two runs in a row find it gone (404 or 410)."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from core.records import LANGUAGES
from ingestion.fetching import FetchResult, PageFetcher
from ingestion.loaders import SUPPORTED_SUFFIXES, LoadError, Origin, SourceDocument, load_document
from ingestion.sitemap import SitemapError, parse_sitemap
from storage.documents import DocumentStore
from storage.models import utcnow
from storage.sources import PageState, SourceInfo, SourceStore, sync_prefix

logger = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 50
GONE_RUNS_BEFORE_REMOVAL = 2
_CONTENT_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                  "text/markdown": ".md", "text/x-markdown": ".md"}
_EMPTY_REASONS = ("empty file", "no main text", "no extractable text", "has no text")
# Outcomes that keep the previous version and are reported as errors of the run.
KEPT = frozenset({"failed", "blocked", "empty", "shrunk", "gone"})
CHANGED = frozenset({"added", "updated", "removed"})


@dataclass(frozen=True)
class SyncOptions:
    max_bytes: int = 5_000_000
    shrink_ratio: float = 0.5  # a new version under this share of the served one's text is suspicious
    shrink_min_chars: int = 400  # below this, pages are too short for a ratio to mean anything
    max_pages_per_source: int = 5000


@dataclass
class PageResult:
    url: str
    outcome: str  # added, updated, unchanged, not_modified, removed, or (version kept) failed, blocked, empty,
    #               shrunk, gone
    http_status: int | None
    message: str
    procedure: str | None = None  # "id.lang" of the version stored or kept

    def as_dict(self) -> dict[str, object]:
        return {"url": self.url, "outcome": self.outcome, "http_status": self.http_status, "message": self.message,
                "procedure": self.procedure}


class SourceSync:
    def __init__(self, sources: SourceStore, documents: DocumentStore, fetcher: PageFetcher, options: SyncOptions,
                 now: Callable[[], datetime] = utcnow) -> None:
        self._sources, self._documents, self._fetcher = sources, documents, fetcher
        self._options, self._now = options, now

    def run(self, on_progress: Callable[[int, int], None] | None = None, force: bool = False) -> list[PageResult]:
        """Fetch every registered source's pages once. `force` asks without conditions and accepts a shrink."""
        plan = [(source, *self._pages_of(source)) for source in self._sources.all()]
        total, done = sum(len(pages) for _, pages, _ in plan), 0
        results: list[PageResult] = []
        for source, pages, note in plan:
            own: list[PageResult] = []
            for page in pages:
                own.append(self.sync_page(page, source, force))
                done += 1
                if on_progress:
                    on_progress(done, total)
            self._sources.finish_run(source.id, *_source_status(own, note))
            results += own
        return results

    def _pages_of(self, source: SourceInfo) -> tuple[list[PageState], str]:
        """The pages to fetch, and a note when a sitemap could not be read (its known pages are still checked)."""
        note = ""
        if source.kind == "page":
            if self._sources.add_pages(source.id, [source.url]):
                note = "this URL is kept in sync by another source (a sitemap that lists it)"
        else:
            urls, note = self._read_sitemap(source.url)
            if urls:
                elsewhere = self._sources.add_pages(source.id, urls[:self._options.max_pages_per_source])
                if elsewhere:
                    note = "; ".join(filter(None, [note, f"{len(elsewhere)} URLs are followed by another source"]))
        return self._sources.pages(source.id), note

    def _read_sitemap(self, url: str) -> tuple[list[str], str]:
        """The pages of a sitemap and of the sitemaps its index lists (up to MAX_CHILD_SITEMAPS), and what failed."""
        queue, seen, notes, failed = [url], {url}, [], False
        pages: dict[str, None] = {}  # ordered, each once
        while queue:
            sitemap_url = queue.pop(0)
            fetched = self._fetcher.fetch(sitemap_url)
            try:
                if fetched.error or fetched.status != 200:
                    raise SitemapError(fetched.error or f"HTTP {fetched.status}")
                sitemap = parse_sitemap(fetched.body, fetched.url)
            except SitemapError as exc:
                notes.append(f"sitemap {sitemap_url}: {exc}")
                failed = True
                continue
            pages.update(dict.fromkeys(sitemap.pages))
            children = [child for child in sitemap.sitemaps if child not in seen]
            children = children[:max(0, MAX_CHILD_SITEMAPS + 1 - len(seen))]
            queue += children
            seen.update(children)
            if sitemap.skipped:
                notes.append(f"{len(sitemap.skipped)} URLs of {sitemap_url} were skipped (on another host, not "
                             "http(s), or over 2048 bytes)")
        return list(pages), "; ".join(notes) + ("; the pages already known were checked" if failed else "")

    def sync_page(self, page: PageState, source: SourceInfo, force: bool = False) -> PageResult:
        known = page.content_hash is not None and not force
        fetched = self._fetcher.fetch(page.url, page.etag if known else None, page.last_modified if known else None)
        page.checked_at, page.http_status = self._now(), fetched.status
        result = self._gone(page, fetched) if fetched.gone else self._answered(page, source, fetched, force)
        if not fetched.gone:
            page.gone_count = 0
        page.outcome, page.message = result.outcome, result.message
        self._sources.save_page(page)
        logger.info("event=sync_page outcome=%s status=%s page=%s", result.outcome, fetched.status, page.id)
        return result

    def _gone(self, page: PageState, fetched: FetchResult) -> PageResult:
        page.gone_count += 1
        if page.content_hash is None:
            return self._kept(page, "gone", f"HTTP {fetched.status}: nothing there, and no version of it is stored")
        if page.gone_count < GONE_RUNS_BEFORE_REMOVAL:
            return self._kept(page, "gone", f"HTTP {fetched.status}: gone for the first time; the last good version "
                                            "is kept until the next run finds it gone too")
        self._documents.remove_fetched_page(page.id)
        procedure = _name(page)
        page.content_hash = page.etag = page.last_modified = page.fetched_at = None
        page.text_chars = 0
        return PageResult(page.url, "removed", fetched.status, f"HTTP {fetched.status} on {page.gone_count} runs in a "
                                                               "row: removed from the index", procedure)

    def _answered(self, page: PageState, source: SourceInfo, fetched: FetchResult, force: bool) -> PageResult:
        if fetched.error:
            outcome = "blocked" if "robots.txt" in fetched.error else "failed"
            return self._kept(page, outcome, fetched.error)
        if fetched.not_modified:
            if page.content_hash is None:
                return self._kept(page, "failed", "HTTP 304 for a page never stored")
            return PageResult(page.url, "not_modified", 304, "not modified (conditional request)", _name(page))
        digest = hashlib.sha256(fetched.body).hexdigest()
        if digest == page.content_hash and not force:
            page.etag, page.last_modified = fetched.etag, fetched.last_modified
            return PageResult(page.url, "unchanged", 200, "same content (hash)", _name(page))
        suffix = _suffix(fetched)
        if suffix is None:
            return self._kept(page, "failed", f"unsupported content type {fetched.content_type or '(none)'}")
        try:
            doc = self._read(page, source, fetched, suffix)
        except LoadError as exc:
            empty = any(reason in str(exc) for reason in _EMPTY_REASONS)
            return self._kept(page, "empty" if empty else "failed", f"the page could not be read: {exc}")
        chars = len(doc.body)
        if not force and page.text_chars >= self._options.shrink_min_chars \
                and chars < page.text_chars * self._options.shrink_ratio:
            return self._kept(page, "shrunk", f"the text shrank from {page.text_chars} to {chars} characters "
                                              "(once checked, sync with --force to accept it)")
        return self._store(page, doc, fetched, digest, suffix)

    def _read(self, page: PageState, source: SourceInfo, fetched: FetchResult, suffix: str) -> SourceDocument:
        procedure_id = page.procedure_id or (source.procedure_id if source.kind == "page" else None)
        language = page.language or (source.language if source.kind == "page" else None)
        procedure_id = procedure_id or slug_from_url(page.url)
        language = language or language_from_url(page.url)
        name = f"{procedure_id}.{language}{suffix}" if language else f"{procedure_id}{suffix}"
        return load_document(Path(name), page.url, self._options.max_bytes, data=fetched.body,
                             origin=Origin(page.url, self._now().date()))

    def _store(self, page: PageState, doc: SourceDocument, fetched: FetchResult, digest: str,
               suffix: str) -> PageResult:
        first = page.content_hash is None
        if page.procedure_id is None:
            page.procedure_id, page.language = self._free_identity(page, doc.procedure_id, doc.language)
        assert page.language is not None
        self._documents.save_upload(page.procedure_id, page.language,
                                    f"{sync_prefix(page.id)}{page.procedure_id}.{page.language}{suffix}", fetched.body,
                                    origin_url=page.url, fetched_at=self._now())
        page.content_hash, page.text_chars, page.fetched_at = digest, len(doc.body), self._now()
        page.etag, page.last_modified = fetched.etag, fetched.last_modified
        moved = f" (redirected to {fetched.url})" if fetched.url != page.url else ""
        return PageResult(page.url, "added" if first else "updated", 200,
                          ("new page" if first else "changed") + moved, _name(page))

    def _free_identity(self, page: PageState, procedure_id: str, language: str) -> tuple[str, str]:
        """Two pages never share a procedure and language: a later one gets a numbered id."""
        candidate, n = procedure_id, 1
        while self._sources.identity_owner(candidate, language) not in (None, page.id):
            n += 1
            candidate = f"{procedure_id[:120]}-{n}"
        return candidate, language

    def _kept(self, page: PageState, outcome: str, message: str) -> PageResult:
        kept = "; the last good version keeps answering" if page.content_hash and outcome != "gone" else ""
        return PageResult(page.url, outcome, page.http_status, message + kept, _name(page))


def _source_status(results: list[PageResult], note: str) -> tuple[str, str]:
    """ok: every page in step; failed: none (or the sitemap failed and no page is known); partial otherwise."""
    kept = sum(r.outcome in KEPT for r in results)
    summary = f"{len(results)} pages: {len(results) - kept} in step, {kept} kept their last good version"
    if (note and not results) or (results and kept == len(results)):
        return "failed", f"{note}; {summary}" if note else summary
    return "partial" if kept or note else "ok", f"{note}; {summary}" if note else summary


def _name(page: PageState) -> str | None:
    return f"{page.procedure_id}.{page.language}" if page.procedure_id else None


def _suffix(fetched: FetchResult) -> str | None:
    """The file type the server declares; its URL's only when it declares none or a generic one."""
    if fetched.content_type in _CONTENT_TYPES:
        return _CONTENT_TYPES[fetched.content_type]
    if fetched.content_type not in ("", "application/octet-stream", "binary/octet-stream"):
        return None
    suffix = PurePosixPath(urlsplit(fetched.url).path).suffix.lower()
    return suffix if suffix in SUPPORTED_SUFFIXES else None


def slug_from_url(url: str) -> str:
    """The procedure id a page gets when the admin named none: its last meaningful path segment."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    meaningful = [s for s in segments if s.lower() not in (*LANGUAGES, "index.html", "index.htm", "index")]
    stem = PurePosixPath(meaningful[-1]).stem if meaningful else urlsplit(url).netloc
    stem = re.sub(r"[._](fr|ar|en)$", "", stem.lower())
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:100] or "page"


def language_from_url(url: str) -> str | None:
    """A language the URL names (a /fr/ segment, ?lang=ar, or page.en.html); None lets the text decide."""
    parts = urlsplit(url)
    for segment in parts.path.lower().split("/"):
        if segment in LANGUAGES:
            return segment
        match = re.search(r"[._](fr|ar|en)\.[a-z]+$", segment)
        if match:
            return match.group(1)
    for key in ("lang", "language", "hl"):
        value = parse_qs(parts.query).get(key, [""])[0].lower()[:2]
        if value in LANGUAGES:
            return value
    return None
