"""`python -m ingestion sources add URL [--sitemap] [--id ID --lang L] | list | remove URL|ID | sync [--force]`:
the official pages (or sitemaps) kept in sync, from the command line."""

from __future__ import annotations

import argparse
from datetime import timedelta

import httpx
from rich.console import Console
from rich.table import Table

from core.embedders import build_embedder
from core.index_store import ChromaIndex, connect
from core.records import LANGUAGES
from core.settings import Settings
from ingestion.importing import index_stored_sources
from ingestion.pipeline import IndexOptions
from ingestion.source_input import SourceInputError, check_source
from ingestion.sync_job import build_sync_job
from storage.database import Database
from storage.documents import DocumentStore
from storage.jobs import JobConflictError, JobStore
from storage.sources import SourceExistsError, SourceStore


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sources = commands.add_parser("sources", help="official pages or sitemaps kept in sync (see docs/catalogue.md)")
    actions = sources.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register a page URL, or a sitemap with --sitemap")
    add.add_argument("url")
    add.add_argument("--sitemap", action="store_true", help="the URL is a sitemap.xml: keep each of its pages in sync")
    add.add_argument("--id", dest="procedure_id", help="the procedure this page is (default: from its URL)")
    add.add_argument("--lang", choices=LANGUAGES, help="its language (default: from its URL or its text)")
    actions.add_parser("list", help="registered sources with their last fetch and status")
    remove = actions.add_parser("remove", help="stop following a source and remove its pages from the index")
    remove.add_argument("source", help="its URL or id")
    sync = actions.add_parser("sync", help="fetch every source now and index what changed")
    sync.add_argument("--force", action="store_true",
                      help="ask without conditions and accept a page that shrank (after checking it)")


def run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    sources = SourceStore(database)
    try:
        if args.action == "add":
            return _add(sources, args, console)
        if args.action == "list":
            return _list(sources, console)
        if args.action == "remove":
            return _remove(settings, database, sources, args.source, console)
        return _sync(settings, database, sources, args.force, console)
    finally:
        database.close()


def _add(sources: SourceStore, args: argparse.Namespace, console: Console) -> int:
    try:
        kind = check_source(args.url, args.sitemap, args.procedure_id, args.lang)
        info = sources.add(args.url, kind, args.procedure_id, args.lang)
    except SourceInputError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 2
    except SourceExistsError:
        console.print(f"[bold red]error:[/] {args.url} is already registered")
        return 2
    console.print(f"registered {info.kind} {info.url} (id {info.id}); `python -m ingestion sources sync` fetches it")
    return 0


def _list(sources: SourceStore, console: Console) -> int:
    table = Table(title="Sources kept in sync")
    for column in ("id", "kind", "url", "pages", "last fetch", "status", "message"):
        table.add_column(column, overflow="fold")
    for s in sources.all():
        table.add_row(s.id, s.kind, s.url, str(s.pages), f"{s.last_run_at:%Y-%m-%d %H:%M} UTC" if s.last_run_at else "never",
                      s.status or "—", s.message or "")
    console.print(table)
    for page in sources.pages():
        if page.outcome not in (None, "added", "updated", "unchanged", "not_modified"):
            console.print(f"[yellow]{page.outcome}[/] {page.url}: {page.message}")
    return 0


def _remove(settings: Settings, database: Database, sources: SourceStore, name: str, console: Console) -> int:
    info = sources.find(name)
    if info is None:
        console.print(f"[bold red]error:[/] no source {name!r} (see `python -m ingestion sources list`)")
        return 2
    jobs = JobStore(database, timedelta(seconds=settings.job_stale_seconds))
    try:
        job_id = jobs.start("delete")
    except JobConflictError:
        console.print("[bold red]error:[/] an index job is already running; try again when it has finished")
        return 2
    try:
        removed = sources.remove(info.id)
        embedder = build_embedder(settings)
        index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
        report = index_stored_sources(settings.corpus_dir, settings.data_dir / "uploads", DocumentStore(database),
                                      embedder, index, IndexOptions(settings.chunk_size, settings.chunk_overlap,
                                                                    settings.max_file_bytes, settings.embed_batch_size))
    except BaseException:
        jobs.finish(job_id, "failed", {}, [{"source": info.url, "message": "the removal stopped before the index "
                                                                          "was rebuilt; the previous index serves"}])
        raise
    jobs.finish(job_id, "succeeded", report.counts, [])
    console.print(f"removed {info.url} and its {removed} pages ({report.counts['deleted']} sources left the index)")
    return 0


def _sync(settings: Settings, database: Database, sources: SourceStore, force: bool, console: Console) -> int:
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    jobs = JobStore(database, timedelta(seconds=settings.job_stale_seconds))
    with httpx.Client() as client:
        job = build_sync_job(settings, client, sources, DocumentStore(database), jobs, embedder, index)
        try:
            job_id = job.start()
        except JobConflictError:
            console.print("[bold red]error:[/] an index job (or another sync) is already running; try again later")
            return 2
        outcome = job.run(job_id, force)
    table = Table(title=f"Sync {job_id}: {outcome.status}")
    for column in ("outcome", "HTTP", "procedure", "url", "message"):
        table.add_column(column, overflow="fold")
    for r in outcome.results:
        table.add_row(r.outcome, str(r.http_status or "—"), r.procedure or "—", r.url, r.message)
    console.print(table)
    for error in outcome.errors:
        if not error["source"]:
            console.print(f"[bold red]error:[/] {error['message']}")
    return {"succeeded": 0, "partial": 1}.get(outcome.status, 2)
